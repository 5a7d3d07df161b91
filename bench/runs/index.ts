import { performance } from 'node:perf_hooks';
import Anthropic from '@anthropic-ai/sdk';
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { newId } from '../../src/lib/core/ids.js';
import { appendMessage, initSession, messages } from '../../src/lib/core/shapes.js';
import { startTether, testKey, waitFor, type TetherServer } from '../../tests/server/harness.js';
import { cpuMicros } from '../lib/proc.js';
import { summarize, type Summary } from '../lib/stats.js';
import { BenchClient } from '../lib/yclient.js';
import { launchProfile } from '../browser/chromium.js';
import { startBenchUpstream, type BenchUpstream } from './upstream.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunsBenchOptions {
	/** Time-to-first-token trials, each way. */
	trials: number;
	/** Tokens streamed to the second device, and their spacing. */
	screenTokens: number;
	screenSpacingMs: number;
	/** Concurrent streaming runs, tokens each, and their spacing. */
	concurrent: number;
	concurrentTokens: number;
	concurrentSpacingMs: number;
}

export interface RunsBenchResult {
	firstTokenDirect: Summary;
	firstTokenTether: Summary;
	addedP50Ms: number;
	tokenToScreen: Summary;
	concurrent: {
		runs: number;
		tokens: number;
		/** Time for /api/health to answer while the runs stream: the event loop's delay, roughly. */
		healthLatency: Summary;
		cpuMicrosPerToken: number;
		seconds: number;
	};
}

/**
 * Issue 8's figures: time to first token through Tether against the SDK calling the same upstream
 * directly, the delay from the upstream writing a token to a second device's screen showing it,
 * and many runs streaming at once (event-loop delay as health latency, server CPU per token).
 */
export async function runRunsBench(options: RunsBenchOptions): Promise<RunsBenchResult> {
	const upstream = await startBenchUpstream();
	const server = await startTether({ entry: 'build', upstreamUrl: upstream.url });
	try {
		const apiKey = testKey('runs-bench');
		const { token } = await server.login(apiKey);
		const account = { apiKey, token };

		upstream.set({ tokens: 5, spacingMs: 0 });
		const direct: number[] = [];
		const tether: number[] = [];
		const sdk = new Anthropic({ apiKey, baseURL: upstream.url, maxRetries: 0 });
		for (let i = 0; i < options.trials; i++) {
			direct.push(await firstTokenDirect(sdk));
			tether.push(await firstTokenThroughTether(server, account));
		}
		const firstTokenDirectSummary = summarize(direct);
		const firstTokenTetherSummary = summarize(tether);

		upstream.set({ tokens: options.screenTokens, spacingMs: options.screenSpacingMs });
		const tokenToScreen = await tokenToSecondScreen(server, upstream, account, options);

		upstream.set({ tokens: options.concurrentTokens, spacingMs: options.concurrentSpacingMs });
		const concurrent = await concurrentRuns(server, account, options);
		return {
			firstTokenDirect: firstTokenDirectSummary,
			firstTokenTether: firstTokenTetherSummary,
			addedP50Ms: firstTokenTetherSummary.p50 - firstTokenDirectSummary.p50,
			tokenToScreen,
			concurrent
		};
	} finally {
		await server.close();
		await upstream.close();
	}
}

interface Account {
	apiKey: string;
	token: string;
}

async function firstTokenDirect(sdk: Anthropic): Promise<number> {
	const started = performance.now();
	const stream = await sdk.messages.create({
		model: 'bench-model',
		max_tokens: 100,
		messages: [{ role: 'user', content: 'hi' }],
		stream: true
	});
	for await (const event of stream) {
		if (event.type === 'content_block_delta') break;
	}
	return performance.now() - started;
}

/** A session with a waiting message, written and stored through a sync client. */
async function waitingSession(server: TetherServer, account: Account) {
	const sessionId = newId();
	const client = new BenchClient(`${server.wsUrl}/sync/session.${sessionId}`, [
		'tether.v1',
		`tether.auth.${account.token}`
	]);
	await client.synced;
	const messageId = newId();
	client.doc.transact(() => {
		initSession(client.doc, newId(), Date.now());
		appendMessage(client.doc, {
			id: messageId,
			role: 'user',
			text: 'hi',
			createdAt: Date.now(),
			ask: 'waiting'
		});
	});
	await client.allStored();
	return { sessionId, messageId, client };
}

function askForRun(server: TetherServer, account: Account, sessionId: string, messageId: string) {
	return fetch(`${server.url}/api/runs`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			authorization: `Bearer ${account.token}`,
			'x-api-key': account.apiKey
		},
		body: JSON.stringify({ sessionId, messageId, attempt: 1 })
	});
}

/** Resolves with the time `doc` first holds answer text, checked on each of its updates. */
function answerText(doc: Y.Doc, minLength = 1): Promise<number> {
	return new Promise((resolve) => {
		const check = () => {
			for (const entry of messages(doc).toArray()) {
				if (entry.get('role') !== 'assistant') continue;
				const blocks = entry.get('blocks') as Y.Array<Y.Map<unknown>> | undefined;
				const text = blocks?.get(0)?.get('text');
				if (text instanceof Y.Text && text.length >= minLength) {
					doc.off('update', check);
					resolve(performance.now());
					return;
				}
			}
		};
		doc.on('update', check);
	});
}

async function firstTokenThroughTether(server: TetherServer, account: Account): Promise<number> {
	const { sessionId, messageId, client } = await waitingSession(server, account);
	try {
		const seen = answerText(client.doc);
		const started = performance.now();
		const response = await askForRun(server, account, sessionId, messageId);
		if (response.status !== 202) throw new Error(`run refused: ${response.status}`);
		return (await seen) - started;
	} finally {
		await client.close();
	}
}

/** Marks, in the page, when each streamed token first shows (wall clock, like the upstream's). */
function watchTokens(): void {
	const seen: Record<string, number> = {};
	(window as unknown as { __tokens: Record<string, number> }).__tokens = seen;
	const pattern = /r\d+t\d+/g;
	new MutationObserver(() => {
		const log = document.querySelector('[role="log"]');
		if (!log) return;
		const now = Date.now();
		for (const token of log.textContent?.match(pattern) ?? []) seen[token] ??= now;
	}).observe(document, { subtree: true, childList: true, characterData: true });
}

async function tokenToSecondScreen(
	server: TetherServer,
	upstream: BenchUpstream,
	account: Account,
	options: RunsBenchOptions
): Promise<Summary> {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-runs-'));
	const context = await launchProfile(profile);
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		await signInAndOpenSession(page, server.url, account.apiKey);
		const sessionId = page.url().split('/s/')[1] ?? '';
		await page.evaluate(watchTokens);
		// Another device writes the question; the page watches the answer arrive.
		const client = new BenchClient(`${server.wsUrl}/sync/session.${sessionId}`, [
			'tether.v1',
			`tether.auth.${account.token}`
		]);
		await client.synced;
		const messageId = newId();
		appendMessage(client.doc, {
			id: messageId,
			role: 'user',
			text: 'stream to the screen',
			createdAt: Date.now(),
			ask: 'waiting'
		});
		await client.allStored();
		upstream.sentAt.clear();
		await askForRun(server, account, sessionId, messageId);
		const seen = await waitFor(
			async () => {
				const marks = await page.evaluate(
					() => (window as unknown as { __tokens: Record<string, number> }).__tokens
				);
				return Object.keys(marks).length >= options.screenTokens ? marks : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 200, message: 'every token on the screen' }
		);
		await client.close();
		const delays: number[] = [];
		for (const [token, at] of upstream.sentAt) {
			const shown = seen[token];
			if (shown !== undefined) delays.push(shown - at);
		}
		return summarize(delays);
	} finally {
		await context.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

async function signInAndOpenSession(page: Page, url: string, apiKey: string): Promise<void> {
	await page.goto(url);
	await page.getByRole('textbox', { name: 'Anthropic API key' }).fill(apiKey);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'New project' }).click();
	const dialog = page.getByRole('dialog', { name: 'New project' });
	await dialog.getByRole('textbox', { name: 'Name' }).fill('Runs bench');
	await dialog.getByRole('button', { name: 'Create' }).click();
	await page
		.getByRole('region', { name: 'Sessions' })
		.getByRole('button', { name: 'New session' })
		.click();
	await page.waitForURL(/\/s\//);
	await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

async function concurrentRuns(
	server: TetherServer,
	account: Account,
	options: RunsBenchOptions
): Promise<RunsBenchResult['concurrent']> {
	const sessions = [];
	for (let i = 0; i < options.concurrent; i++) sessions.push(await waitingSession(server, account));
	const pid = server.process?.pid;
	if (!pid) throw new Error('no server process');
	const finished = sessions.map(
		(s) =>
			new Promise<void>((resolve) => {
				const check = () => {
					const answer = messages(s.client.doc)
						.toArray()
						.find((m) => m.get('role') === 'assistant');
					if (answer?.get('status') === 'done') {
						s.client.doc.off('update', check);
						resolve();
					}
				};
				s.client.doc.on('update', check);
			})
	);
	const cpuBefore = cpuMicros(pid);
	const started = performance.now();
	let streaming = true;
	const health: number[] = [];
	const probe = (async () => {
		while (streaming) {
			const at = performance.now();
			await fetch(`${server.url}/api/health`);
			health.push(performance.now() - at);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	})();
	await Promise.all(sessions.map((s) => askForRun(server, account, s.sessionId, s.messageId)));
	await Promise.all(finished);
	const seconds = (performance.now() - started) / 1000;
	const cpu = cpuMicros(pid) - cpuBefore;
	streaming = false;
	await probe;
	await Promise.all(sessions.map((s) => s.client.close()));
	const tokens = options.concurrent * options.concurrentTokens;
	return {
		runs: options.concurrent,
		tokens,
		healthLatency: summarize(health),
		cpuMicrosPerToken: cpu / tokens,
		seconds
	};
}

export function runsTables(result: RunsBenchResult): string[] {
	const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
	return [
		[
			'Runs (issue 8)                                  p50    p95 or p99   goal',
			`time to first token, SDK direct         ${f(result.firstTokenDirect.p50).padStart(8)} ms ${f(result.firstTokenDirect.p99).padStart(8)} ms`,
			`time to first token, through Tether     ${f(result.firstTokenTether.p50).padStart(8)} ms ${f(result.firstTokenTether.p99).padStart(8)} ms`,
			`added by Tether (p50)                   ${f(result.addedP50Ms).padStart(8)} ms             < 5 ms`,
			`token -> second device's screen         ${f(result.tokenToScreen.p50).padStart(8)} ms ${f(result.tokenToScreen.p95).padStart(8)} ms   p95 < 50 ms`,
			`${result.concurrent.runs} runs at once: /api/health latency  ${f(result.concurrent.healthLatency.p50).padStart(8)} ms ${f(result.concurrent.healthLatency.p99).padStart(8)} ms`,
			`${result.concurrent.runs} runs at once: server CPU per token  ${f(result.concurrent.cpuMicrosPerToken).padStart(8)} µs`
		].join('\n')
	];
}
