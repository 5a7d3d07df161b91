import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { startTether, testKey } from '../../tests/server/harness.js';
import { generateTranscript } from '../../tests/lib/transcript.js';
import { launchProfile, signInWithProject } from '../browser/chromium.js';
import { formatTable, mib, ms } from '../lib/table.js';

export interface ImportBenchOptions {
	/** Sizes of the generated transcripts, in bytes (the first is timed, every one is sampled). */
	sizes: number[];
	/** Characters of prose per generated message. */
	messageChars: number;
}

export interface ImportRun {
	bytes: number;
	messages: number;
	/** From the file chooser's `change` to the session open with its last answer on screen. */
	browsableMs: number;
	/** From the `change` to the import report. */
	reportMs: number;
	/** From the `change` to the status saying "Synced" (the server stored it all). */
	syncedMs: number;
	/** Highest JS heap of the page's main thread during the import (CDP Performance metrics). */
	peakPageHeap: number;
	/** Highest memory of the tab's renderer processes (page, its workers), as RSS, and at rest. */
	peakRendererRss: number;
	rendererRssBefore: number;
	/**
	 * The page's main thread from the `change` until synced: its longest task, and all tasks over
	 * 50 ms.
	 */
	longestTaskMs: number;
	longTasksMs: number;
}

export interface ImportBenchResult {
	runs: ImportRun[];
}

/**
 * Issue 10's import figures, in Chromium against the built app and the real server: a Claude
 * Code transcript generated to each size is picked through "Import" in the Sessions region, as a
 * person does, and timed until the imported session shows its last answer; the tab's memory is
 * sampled meanwhile. Each size imports into a fresh project.
 */
export async function runImportBench(options: ImportBenchOptions): Promise<ImportBenchResult> {
	// A 100 MB transcript makes a session document over the default 64 MiB document quota, which
	// the server refuses (the person is told); the bench measures the import and its upload.
	const server = await startTether({ entry: 'build', env: { TETHER_MAX_DOC_MB: '512' } });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-import-'));
	const files = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-transcripts-'));
	const context = await launchProfile(profile);
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(120_000);
		page.on('crash', () => console.error('page crashed'));
		await page.addInitScript(() => {
			// Long tasks of the page's main thread: a frozen tab is one long task.
			const tasks: number[] = [];
			(window as unknown as { longTasks: number[] }).longTasks = tasks;
			new PerformanceObserver((list) => {
				for (const entry of list.getEntries()) tasks.push(entry.duration);
			}).observe({ type: 'longtask' });
			const w = window as unknown as { importChangedAt?: number };
			document.addEventListener(
				'change',
				(event) => {
					if ((event.target as HTMLInputElement | null)?.type === 'file')
						w.importChangedAt = performance.now();
				},
				true
			);
		});
		await signInWithProject(page, server.url, testKey('bench'));
		const runs: ImportRun[] = [];
		for (const [i, bytes] of options.sizes.entries()) {
			if (i > 0) await newProject(page, `Bench ${i + 1}`);
			const file = path.join(files, `transcript-${bytes}.jsonl`);
			const transcript = writeTranscript(file, bytes, options.messageChars);
			runs.push(await importOne(context, page, profile, file, transcript));
			fs.rmSync(file);
		}
		return { runs };
	} finally {
		await context.close();
		fs.rmSync(profile, { recursive: true, force: true });
		fs.rmSync(files, { recursive: true, force: true });
		await server.close();
	}
}

/** A generated transcript of about `bytes` bytes, written to `file`. */
function writeTranscript(file: string, bytes: number, messageChars: number) {
	const probe = generateTranscript({ exchanges: 10, messageChars });
	const perExchange = Buffer.byteLength(probe.text) / 10;
	const exchanges = Math.max(1, Math.round(bytes / perExchange));
	const transcript = generateTranscript({
		exchanges,
		messageChars,
		title: `Bench transcript ${bytes}`
	});
	fs.writeFileSync(file, transcript.text);
	return { ...transcript, bytes: fs.statSync(file).size };
}

async function newProject(page: Page, name: string): Promise<void> {
	await page.getByRole('button', { name: 'New project' }).click();
	const dialog = page.getByRole('dialog');
	await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
	await dialog.getByRole('button', { name: 'Create' }).click();
	await dialog.waitFor({ state: 'hidden' });
}

async function importOne(
	context: BrowserContext,
	page: Page,
	profile: string,
	file: string,
	transcript: { bytes: number; exchanges: number; lastAnswer: string }
): Promise<ImportRun> {
	const cdp = await context.newCDPSession(page);
	await cdp.send('Performance.enable');
	const rendererRssBefore = rendererRss(profile);
	const sampler = sample(cdp, profile);
	await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.splice(0));
	// BENCH_IMPORT_PROFILE=dir: a CPU profile of the page's main thread per import, to open in
	// Chromium's DevTools (Performance panel) and see what the long tasks are.
	const profileDir = process.env.BENCH_IMPORT_PROFILE;
	if (profileDir) {
		await cdp.send('Profiler.enable');
		await cdp.send('Profiler.start');
	}
	try {
		const chooser = page.waitForEvent('filechooser');
		await page
			.getByRole('region', { name: 'Sessions' })
			.getByRole('button', { name: 'Import' })
			.click();
		await (await chooser).setFiles(file);
		// Polled each frame: done once the answer is in the conversation of the open session.
		const browsableAt = await page.waitForFunction(
			(answer) => {
				const log = document.querySelector('[aria-label="Conversation"]');
				return log?.textContent?.includes(answer) ? performance.now() : false;
			},
			transcript.lastAnswer,
			{ polling: 50, timeout: 90_000 }
		);
		const reportAt = await page.waitForFunction(
			() => {
				const report = document.querySelector('[aria-label="Import report"]');
				const text = report?.textContent?.replace(/\s+/g, ' ') ?? '';
				return text.includes('Imported 1 session') ? performance.now() : false;
			},
			undefined,
			{ polling: 50, timeout: 90_000 }
		);
		// The import is not over for the tab until the server has it: the upload and the search
		// index's catch-up run on the same page, and their long tasks count too.
		const syncedAt = await page
			.waitForFunction(
				() => {
					for (const status of document.querySelectorAll('[role="status"]')) {
						if (status.textContent?.trim() === 'Synced') return performance.now();
					}
					return false;
				},
				undefined,
				{ polling: 50, timeout: 300_000 }
			)
			.catch(async (error: unknown) => {
				const shown = await page.evaluate(() =>
					[...document.querySelectorAll('[role="status"], [role="alert"]')]
						.map((e) => e.textContent?.trim())
						.join(' | ')
				);
				console.error(`import of ${transcript.bytes} B never synced; the page shows: ${shown}`);
				throw error;
			});
		const changedAt = await page.evaluate(
			() => (window as unknown as { importChangedAt?: number }).importChangedAt ?? NaN
		);
		const peaks = await sampler.stop();
		if (profileDir) {
			const { profile: cpu } = await cdp.send('Profiler.stop');
			fs.mkdirSync(profileDir, { recursive: true });
			fs.writeFileSync(
				path.join(profileDir, `import-${transcript.bytes}.cpuprofile`),
				JSON.stringify(cpu)
			);
		}
		const tasks = await page.evaluate(
			() => (window as unknown as { longTasks: number[] }).longTasks
		);
		return {
			bytes: transcript.bytes,
			messages: transcript.exchanges * 2,
			browsableMs: Number(await browsableAt.jsonValue()) - changedAt,
			reportMs: Number(await reportAt.jsonValue()) - changedAt,
			syncedMs: Number(await syncedAt.jsonValue()) - changedAt,
			peakPageHeap: peaks.heap,
			peakRendererRss: peaks.rss,
			rendererRssBefore,
			longestTaskMs: Math.max(0, ...tasks),
			longTasksMs: tasks.reduce((sum, t) => sum + t, 0)
		};
	} catch (error) {
		console.error('import failed', error);
		throw error;
	} finally {
		await sampler.stop();
		await cdp.detach().catch(() => undefined);
	}
}

/** Samples the page's JS heap and the renderers' memory every 100 ms until stopped. */
function sample(cdp: CDPSession, profile: string) {
	let heap = 0;
	let rss = 0;
	let stopped = false;
	const loop = (async () => {
		while (!stopped) {
			const { metrics } = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
			const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
			heap = Math.max(heap, used);
			rss = Math.max(rss, rendererRss(profile));
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	})();
	return {
		async stop() {
			stopped = true;
			await loop;
			return { heap, rss };
		}
	};
}

/**
 * RSS of the renderer processes of the Chromium that uses `profile` (the tab and its workers run
 * there), read from /proc. 0 where /proc is not there.
 */
function rendererRss(profile: string): number {
	let entries: string[];
	try {
		entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
	} catch {
		return 0;
	}
	const processes = new Map<number, { parent: number; cmdline: string }>();
	for (const pid of entries) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
			processes.set(Number(pid), { parent, cmdline });
		} catch {
			// The process ended meanwhile.
		}
	}
	const browser = [...processes].find(([, p]) => p.cmdline.includes(`--user-data-dir=${profile}`));
	if (!browser) return 0;
	const descends = (pid: number): boolean => {
		for (let at = pid, hops = 0; at > 1 && hops < 10; hops++) {
			if (at === browser[0]) return true;
			at = processes.get(at)?.parent ?? 0;
		}
		return false;
	};
	let total = 0;
	for (const [pid, p] of processes) {
		if (!p.cmdline.includes('--type=renderer') || !descends(pid)) continue;
		try {
			const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			total += Number(rss?.[1] ?? 0) * 1024;
		} catch {
			// Ended meanwhile.
		}
	}
	return total;
}

export function importTables(r: ImportBenchResult): string[] {
	return [
		formatTable(
			'Import of a generated Claude Code transcript (Chromium, built app, real server)',
			[
				'transcript',
				'messages',
				'to the session browsable',
				'to the report',
				'to synced',
				'peak page JS heap',
				'peak renderer RSS (at rest before)',
				'longest task to synced (all over 50 ms)',
				'goal'
			],
			r.runs.map((run, i) => [
				mib(run.bytes),
				run.messages,
				ms(run.browsableMs),
				ms(run.reportMs),
				ms(run.syncedMs),
				mib(run.peakPageHeap),
				`${mib(run.peakRendererRss)} (${mib(run.rendererRssBefore)})`,
				`${ms(run.longestTaskMs)} (${ms(run.longTasksMs)})`,
				i === 0 ? '< 1 s to browsable' : 'no freeze: longest task < 200 ms'
			])
		)
	];
}
