import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { startTether, testKey, type TetherServer } from '../../tests/server/harness.js';
import { summarize, type Summary } from '../lib/stats.js';
import { formatTable, timingCells } from '../lib/table.js';
import { launchProfile, signInWithProject } from './chromium.js';
import { completeListMarks, watchSessionList, type ListMarks } from './page-scripts.js';

export interface AppStartOptions {
	/** Sessions in the project the app opens at its start URL. */
	sessions: number;
	/** Measured cold starts (a new browser process each), after one unmeasured. */
	starts: number;
	/** Milliseconds between the last keystroke and the kill, one row each. */
	lossDelays: number[];
	/** Kills per delay. */
	lossTrials: number;
}

export interface LossRow {
	delayMs: number;
	trials: number;
	kept: number;
}

export interface AppStartResult {
	sessions: number;
	/** From navigation start to the session list painted, in a browser process just started. */
	listPainted: Summary;
	/** The same, from the moment the browser process was asked to start. */
	fromLaunch: Summary;
	/** Where the cold start's time goes (from navigation start, medians over the starts). */
	workerStart: Summary;
	responseEnd: Summary;
	domContentLoaded: Summary;
	/** The list painted after a reload in the same, warm browser process: the floor. */
	reloadPainted: Summary;
	/** Whether the service worker served the start (it must, after one online visit). */
	servedByWorker: boolean;
	loss: LossRow[];
}

/**
 * Issue 11's cold start and loss window, in Chromium against the built app: after one online
 * visit (service worker installed, data in IndexedDB), a new browser process opens the start URL
 * and the time to the painted session list is taken; then a draft is typed offline and the
 * browser is killed (SIGKILL) a chosen delay after the keystroke, and a new process shows whether
 * the draft was kept.
 */
export async function runAppStartBench(options: AppStartOptions): Promise<AppStartResult> {
	const server = await startTether({ entry: 'build' });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-start-'));
	try {
		const sessionUrl = await prepare(server, profile, options.sessions);
		const listPainted: number[] = [];
		const fromLaunch: number[] = [];
		const workerStart: number[] = [];
		const responseEnd: number[] = [];
		const domContentLoaded: number[] = [];
		const reloadPainted: number[] = [];
		let servedByWorker = true;
		for (let i = 0; i <= options.starts; i++) {
			const launched = performance.now();
			const context = await launchProfile(profile);
			try {
				const page = context.pages()[0] ?? (await context.newPage());
				await page.addInitScript(watchSessionList);
				const navigated = performance.now();
				await page.goto(server.url);
				const marks = (await (
					await page.waitForFunction(completeListMarks, undefined, {
						timeout: 30_000,
						polling: 50
					})
				).jsonValue()) as ListMarks;
				if (i === 0) continue;
				listPainted.push(marks.painted);
				fromLaunch.push(navigated - launched + marks.painted);
				workerStart.push(marks.workerStart);
				responseEnd.push(marks.responseEnd);
				domContentLoaded.push(marks.domContentLoaded);
				servedByWorker &&= marks.controlled;
				await page.reload();
				const warm = (await (
					await page.waitForFunction(completeListMarks, undefined, {
						timeout: 30_000,
						polling: 50
					})
				).jsonValue()) as ListMarks;
				reloadPainted.push(warm.painted);
			} finally {
				await context.close();
			}
		}
		const loss: LossRow[] = [];
		for (const delayMs of options.lossDelays) {
			let kept = 0;
			for (let trial = 0; trial < options.lossTrials; trial++) {
				if (await draftSurvivesKill(profile, sessionUrl, delayMs, `loss${delayMs}x${trial}`))
					kept++;
			}
			loss.push({ delayMs, trials: options.lossTrials, kept });
		}
		return {
			sessions: options.sessions,
			listPainted: summarize(listPainted),
			fromLaunch: summarize(fromLaunch),
			workerStart: summarize(workerStart),
			responseEnd: summarize(responseEnd),
			domContentLoaded: summarize(domContentLoaded),
			reloadPainted: summarize(reloadPainted),
			servedByWorker,
			loss
		};
	} finally {
		killProfile(profile);
		fs.rmSync(profile, { recursive: true, force: true });
		await server.close();
	}
}

/** Signs in, makes a project with `sessions` sessions, and leaves the worker in control. */
async function prepare(server: TetherServer, profile: string, sessions: number): Promise<string> {
	const context = await launchProfile(profile);
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		await signInWithProject(page, server.url, testKey('start'));
		const list = page.getByRole('region', { name: 'Sessions' });
		for (let i = 0; i < sessions; i++) {
			await list.getByRole('button', { name: 'New session' }).click();
			await page.waitForURL(/\/p\/[^/]+\/s\/[^/?#]+/);
			await page.getByRole('textbox', { name: 'Message' }).fill(`Session ${i + 1}`);
		}
		await page
			.getByRole('status')
			.filter({ hasText: /^Synced$/ })
			.waitFor();
		await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
		await page.reload();
		await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
		return page.url();
	} finally {
		await context.close();
	}
}

/**
 * Types a draft with the network cut (so only IndexedDB can keep it), kills every process of
 * the browser `delayMs` after the input event, and reads the draft in a new browser process.
 */
async function draftSurvivesKill(
	profile: string,
	sessionUrl: string,
	delayMs: number,
	marker: string
): Promise<boolean> {
	let context: BrowserContext | undefined = await launchProfile(profile);
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		await page.goto(sessionUrl);
		const composer = page.getByRole('textbox', { name: 'Message' });
		await composer.waitFor();
		await context.setOffline(true);
		await page.evaluate(() => window.dispatchEvent(new Event('offline')));
		await composer.fill(marker);
		await new Promise((resolve) => setTimeout(resolve, delayMs));
		killProfile(profile);
		await context.close().catch(() => undefined);
		context = await launchProfile(profile);
		const again = context.pages()[0] ?? (await context.newPage());
		await context.setOffline(true);
		await again.goto(sessionUrl).catch(() => undefined);
		const field = again.getByRole('textbox', { name: 'Message' });
		await field.waitFor({ timeout: 30_000 });
		return await readDraft(again, marker);
	} finally {
		await context?.close().catch(() => undefined);
	}
}

/** The composer's value once the page has loaded the session from IndexedDB. */
async function readDraft(page: Page, marker: string): Promise<boolean> {
	// The composer shows the stored draft as soon as the document loaded; give it a moment.
	try {
		await page.waitForFunction(
			(text) =>
				(document.querySelector('textarea[aria-label="Message"]') as HTMLTextAreaElement | null)
					?.value === text,
			marker,
			{ timeout: 3000, polling: 50 }
		);
		return true;
	} catch {
		return false;
	}
}

/** SIGKILL for every process started with this profile (browser, renderers, utilities). */
function killProfile(profile: string): void {
	try {
		execFileSync('pkill', ['-KILL', '-f', `user-data-dir=${profile}`]);
	} catch {
		// pkill exits 1 when nothing matched: the browser was not running.
	}
}

export function appStartTables(r: AppStartResult): string[] {
	const start = formatTable(
		`Cold start (a new Chromium process, built app, ${r.sessions} sessions; start URL served ` +
			`${r.servedByWorker ? 'by the service worker' : 'NOT always by the service worker'}), ` +
			`${r.listPainted.count} starts`,
		['to the session list painted', 'median', 'mean', 'min', 'max', 'goal'],
		[
			['from navigation start', ...timingCells(r.listPainted), '< 300 ms'],
			['  service worker started at', ...timingCells(r.workerStart), ''],
			['  shell HTML received at', ...timingCells(r.responseEnd), ''],
			['  DOMContentLoaded at', ...timingCells(r.domContentLoaded), ''],
			['from launching the browser', ...timingCells(r.fromLaunch), ''],
			['after a reload (warm process)', ...timingCells(r.reloadPainted), '']
		]
	);
	const loss = formatTable(
		'Loss window: a draft typed offline, every browser process killed (SIGKILL) after the delay',
		['delay after the keystroke', 'kept after restart', 'goal'],
		r.loss.map((l) => [`${l.delayMs} ms`, `${l.kept} / ${l.trials}`, 'tracked (R12)'])
	);
	return [start, loss];
}
