import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { messageRows } from '../../src/lib/core/projection.js';
import { appendMessage, initSession } from '../../src/lib/core/shapes.js';
import { startTether, testKey, waitFor, type TetherServer } from '../../tests/server/harness.js';
import { BenchClient } from '../lib/yclient.js';
import { summarize, type Summary } from '../lib/stats.js';
import { launchProfile, signInWithProject } from './chromium.js';
import { generateMessages } from './generate.js';
import { measureScroll, type ScrollResult } from './scroll.js';
import {
	completeMarks,
	measureStored,
	seedSession,
	watchFirstMessage,
	type PaintMarks,
	type StoredBytes
} from './page-scripts.js';

export interface BrowserBenchOptions {
	messages: number;
	/** Measured reloads of the session page (one more, unmeasured, warms the cache first). */
	reloads: number;
	/** Scroll gestures of 3,000 px each through the session once the reloads are done. */
	scrollGestures: number;
	/** How long to wait for the app to receive the session through sync before seeding it. */
	syncWaitMs: number;
}

export interface BrowserBenchResult {
	messages: number;
	/** How the messages reached the browser: through the app's sync, or written into IndexedDB. */
	source: 'sync' | 'seeded';
	/** The goal's figure: from navigation to the newest message painted. */
	lastPainted: Summary;
	/** The app's own rows showing the last message (the picture of [PW20] aside). */
	liveLastPainted: Summary;
	firstPaint: Summary;
	firstInserted: Summary;
	lastMessageInserted: Summary;
	/** Where the time before it goes: the worker started, the shell HTML arrived. */
	workerStart: Summary;
	responseEnd: Summary;
	/** Whether the service worker served every measured navigation (the goal's case). */
	servedByWorker: boolean;
	domContentLoaded: Summary;
	firstContentfulPaint: Summary;
	longTaskMs: Summary;
	runs: PaintMarks[];
	before: StoredBytes;
	after: StoredBytes;
	perThousand: { textBytes: number; updateBytes: number; rowBytes: number; usageDelta: number };
	/** Frame times while scrolling the session from its newest message towards its oldest. */
	scroll: ScrollResult;
}

/**
 * Issue 3's figures, in Chromium against the built app served by the real server: sign in,
 * create a project and a session through the UI, fill the session with generated messages, then
 * time reloads of the session page to the first painted message, and count IndexedDB bytes.
 */
export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchResult> {
	const server = await startTether({ entry: 'build' });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-profile-'));
	const context = await launchProfile(profile);
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		const sockets: string[] = [];
		page.on('websocket', (ws) => sockets.push(ws.url()));
		const apiKey = testKey('bench');
		const { projectId, sessionId } = await createSession(page, server.url, apiKey);
		const docName = `session.${sessionId}`;
		const before = await page.evaluate(measureStored, { docName, sessionId });

		const generated = generateMessages(options.messages);
		const source = await fill(server, apiKey, page, {
			projectId,
			sessionId,
			sockets,
			generated,
			options
		});
		const sessionUrl = page.url();

		const lastMarker = `m${options.messages - 1} `;
		await page.addInitScript(watchFirstMessage, lastMarker);
		// The goal is a navigation served by the service worker: let it install before measuring
		// (the unmeasured first load below is then the one it takes control in).
		await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
		const runs: PaintMarks[] = [];
		for (let i = 0; i <= options.reloads; i++) {
			await page.goto(sessionUrl);
			const marks = await page.waitForFunction(completeMarks, undefined, {
				timeout: 30_000,
				polling: 50
			});
			if (i > 0) runs.push((await marks.jsonValue()) as PaintMarks);
		}
		const after = await page.evaluate(measureStored, { docName, sessionId });
		const scroll = await measureScroll(page, {
			gestures: options.scrollGestures,
			distancePx: 3000,
			speedPxPerSecond: 3000
		});
		const per = (bytes: number) => (bytes * 1000) / options.messages;
		return {
			messages: options.messages,
			source,
			lastPainted: summarize(runs.map((r) => r.lastPainted)),
			liveLastPainted: summarize(runs.map((r) => r.liveLastPainted)),
			firstPaint: summarize(runs.map((r) => r.painted)),
			firstInserted: summarize(runs.map((r) => r.inserted)),
			lastMessageInserted: summarize(runs.map((r) => r.lastInserted)),
			workerStart: summarize(runs.map((r) => r.workerStart)),
			responseEnd: summarize(runs.map((r) => r.responseEnd)),
			servedByWorker: runs.every((r) => r.controlled),
			domContentLoaded: summarize(runs.map((r) => r.domContentLoaded)),
			firstContentfulPaint: summarize(runs.map((r) => r.firstContentfulPaint)),
			longTaskMs: summarize(runs.map((r) => r.longTaskMs)),
			runs,
			before,
			after,
			perThousand: {
				textBytes: per(after.textBytes - before.textBytes),
				updateBytes: per(after.updateBytes - before.updateBytes),
				rowBytes: per(after.messageRowBytes - before.messageRowBytes),
				usageDelta: per(after.usage - before.usage)
			},
			scroll
		};
	} finally {
		await context.close();
		fs.rmSync(profile, { recursive: true, force: true });
		await server.close();
	}
}

async function createSession(page: Page, url: string, apiKey: string) {
	await signInWithProject(page, url, apiKey);
	await page
		.getByRole('region', { name: 'Sessions' })
		.getByRole('button', { name: 'New session' })
		.click();
	await page.waitForURL(/\/p\/[^/]+\/s\/[^/?#]+/);
	const match = /\/p\/([^/]+)\/s\/([^/?#]+)/.exec(page.url());
	if (!match?.[1] || !match[2]) throw new Error(`no session in ${page.url()}`);
	return { projectId: decodeURIComponent(match[1]), sessionId: decodeURIComponent(match[2]) };
}

/**
 * Puts the messages into the session doc on the server, with the same account, and waits for
 * the open page to receive them. If the app never opened a socket for the session (sync not
 * wired into the app yet), writes what the doc store would have stored instead.
 */
async function fill(
	server: TetherServer,
	apiKey: string,
	page: Page,
	args: {
		projectId: string;
		sessionId: string;
		sockets: string[];
		generated: ReturnType<typeof generateMessages>;
		options: BrowserBenchOptions;
	}
): Promise<'sync' | 'seeded'> {
	const { sessionId, generated } = args;
	const docName = `session.${sessionId}`;
	const count = () =>
		page.evaluate(measureStored, { docName, sessionId }).then((s) => s.messageRows);
	const { token } = await server.login(apiKey);
	const client = new BenchClient(`${server.wsUrl}/sync/${docName}`, [
		'tether.v1',
		`tether.auth.${token}`
	]);
	await client.synced;
	for (let i = 0; i < generated.length; i += 250) {
		client.doc.transact(() => {
			for (const message of generated.slice(i, i + 250)) appendMessage(client.doc, message);
		});
	}
	await client.allStored(60_000);
	await client.close();
	const live = args.sockets.some((url) => url.includes(`/sync/${docName}`));
	if (live) {
		await waitFor(async () => (await count()) >= generated.length, {
			timeoutMs: args.options.syncWaitMs,
			intervalMs: 250,
			message: `the app to sync ${generated.length} messages`
		});
		return 'sync';
	}
	const doc = new Y.Doc();
	initSession(doc, args.projectId, Date.now());
	for (const message of generated) appendMessage(doc, message);
	const updateBase64 = Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
	await page.evaluate(seedSession, { docName, updateBase64, rows: messageRows(sessionId, doc) });
	doc.destroy();
	return 'seeded';
}
