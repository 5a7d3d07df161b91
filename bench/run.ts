/**
 * `npm run bench`: measures what issues 3, 4 and 7 ask for, prints tables and writes JSON to
 * bench/results/. Figures, not pass/fail: goals are printed next to the measurements.
 *
 *   BENCH_ONLY=sync|runs|tools|browser|start|library|import|attack|capacity|bundle|instances   run one part
 *   --quick (or BENCH_QUICK=1)     smaller loads, for trying the bench itself
 *   BENCH_NODE_OPTIONS=...         V8 flags for the Tether server of the sync part
 *   BENCH_IMPORT_PROFILE=dir       CPU profiles of the page during each import
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attackTables, runAttackBench } from './attack/index.js';
import { appStartTables, runAppStartBench, type AppStartOptions } from './browser/app-start.js';
import { browserTables, runBrowserBench, type BrowserBenchOptions } from './browser/index.js';
import { bundleTables, runBundleBench } from './bundle/index.js';
import { importTables, runImportBench, type ImportBenchOptions } from './import/index.js';
import { libraryTables, runLibraryBench, type LibraryBenchOptions } from './library/index.js';
import { instancesTables, runInstancesBench } from './instances/index.js';
import { runRunsBench, runsTables, type RunsBenchOptions } from './runs/index.js';
import { capacityTables, runCapacityBench } from './sync/capacity.js';
import { runSyncBench, syncTables, type SyncBenchOptions } from './sync/index.js';
import { runToolsBench, toolsTables } from './tools/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY;
const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

const num = (name: string, fallback: number) => {
	const raw = process.env[name];
	const value = raw ? Number(raw) : fallback;
	if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
	return value;
};

const rates = (process.env.BENCH_RATES ?? '1,10').split(',').map((rate) => {
	const value = Number(rate);
	if (!Number.isFinite(value) || value <= 0) throw new Error('BENCH_RATES: positive numbers');
	return value;
});

const syncOptions: SyncBenchOptions = {
	relay: {
		clients: num('BENCH_CLIENTS', 100),
		docs: num('BENCH_DOCS', 50),
		seed: 1,
		connectConcurrency: 20
	},
	rates,
	seconds: num('BENCH_SECONDS', quick ? 8 : 30),
	burstUpdatesPerClient: num('BENCH_BURST_UPDATES', quick ? 5 : 20),
	memory: {
		docs: num('BENCH_MEMORY_DOCS', quick ? 200 : 1000),
		rounds: num('BENCH_MEMORY_ROUNDS', quick ? 2 : 10),
		messagesPerDoc: 20,
		connectConcurrency: 50
	},
	idleMs: 500
};

const browserOptions: BrowserBenchOptions = {
	messages: num('BENCH_MESSAGES', 5000),
	reloads: num('BENCH_RELOADS', quick ? 3 : 8),
	scrollGestures: num('BENCH_SCROLL_GESTURES', quick ? 5 : 10),
	syncWaitMs: 60_000
};

const appStartOptions: AppStartOptions = {
	sessions: num('BENCH_START_SESSIONS', 20),
	starts: num('BENCH_STARTS', quick ? 3 : 8),
	lossDelays: [0, 5, 20, 50, 200],
	lossTrials: num('BENCH_LOSS_TRIALS', quick ? 2 : 4)
};

const libraryOptions: LibraryBenchOptions = {
	messages: num('BENCH_SEARCH_MESSAGES', quick ? 10_000 : 100_000),
	sessions: quick ? 50 : 500,
	arriving: 1000,
	queries: quick ? 20 : 100
};

const importOptions: ImportBenchOptions = {
	sizes: [3, num('BENCH_IMPORT_BIG_MB', quick ? 20 : 100)].map((mb) => mb * 1024 * 1024),
	messageChars: 2_000
};

const runsOptions: RunsBenchOptions = {
	trials: num('BENCH_RUN_TRIALS', quick ? 10 : 30),
	screenTokens: quick ? 40 : 100,
	screenSpacingMs: 30,
	concurrent: num('BENCH_CONCURRENT_RUNS', quick ? 20 : 50),
	concurrentTokens: quick ? 100 : 200,
	concurrentSpacingMs: 20
};

const started = new Date();
const results: Record<string, unknown> = {
	startedAt: started.toISOString(),
	machine: {
		cpus: os.cpus().length,
		cpu: os.cpus()[0]?.model,
		memoryBytes: os.totalmem(),
		node: process.version,
		/** Other work on the machine skews tails: recorded so runs can be compared. */
		loadAverage: os.loadavg()
	}
};

const load = () => os.loadavg()[0]?.toFixed(1) ?? '?';
console.log(
	`bench: ${os.cpus().length} CPUs, load average ${load()} at the start ` +
		'(other work on the machine lengthens the tails)'
);

if (!only || only === 'bundle') {
	// Sizes, not timings: read from the build `npm run bench` just made.
	const bundle = runBundleBench();
	results.bundle = bundle;
	for (const table of bundleTables(bundle)) console.log(`\n${table}`);
}

if (!only || only === 'sync') {
	const sync = await runSyncBench(syncOptions);
	results.sync = sync;
	for (const table of syncTables(sync)) console.log(`\n${table}`);
}

if (!only || only === 'attack') {
	console.log('attack: another account while one sends its worst input ...');
	const attack = await runAttackBench({
		seconds: num('BENCH_ATTACK_SECONDS', quick ? 5 : 10),
		entry: 'build'
	});
	results.attack = attack;
	for (const table of attackTables(attack)) console.log(`\n${table}`);
}

if (!only || only === 'capacity') {
	const sockets = num('BENCH_CAPACITY_SOCKETS', quick ? 2000 : 10_000);
	console.log(`capacity: ${sockets} idle sockets and the live documents they hold ...`);
	const capacity = await runCapacityBench({
		accounts: 100,
		docs: num('BENCH_CAPACITY_DOCS', quick ? 200 : 1000),
		messagesPerDoc: 20,
		sockets,
		step: quick ? 500 : 2000,
		connectConcurrency: 100
	});
	results.capacity = capacity;
	for (const table of capacityTables(capacity)) console.log(`\n${table}`);
}

if (!only || only === 'runs') {
	console.log('runs: first token, token to screen, concurrent runs ...');
	const runs = await runRunsBench(runsOptions);
	results.runs = runs;
	for (const table of runsTables(runs)) console.log(`\n${table}`);
}

if (!only || only === 'tools') {
	console.log('tools: a scripted run of tool rounds on a large workspace ...');
	const tools = await runToolsBench({
		files: num('BENCH_TOOL_FILES', 1000),
		rounds: num('BENCH_TOOL_ROUNDS', 20)
	});
	results.tools = tools;
	for (const table of toolsTables(tools)) console.log(`\n${table}`);
}

if (!only || only === 'instances') {
	// Starts PostgreSQL and Redis from the Debian packages, as the instance tests do.
	const instances = await runInstancesBench({
		counts: [1, 2, 4],
		clients: num('BENCH_CLIENTS', 100),
		docs: num('BENCH_DOCS', 50),
		rate: num('BENCH_INSTANCE_RATE', 10),
		seconds: num('BENCH_SECONDS', quick ? 8 : 30)
	});
	results.instances = instances;
	for (const table of instancesTables(instances)) console.log(`\n${table}`);
}

if (!only || only === 'browser') {
	console.log('browser: first paint and IndexedDB bytes ...');
	const browser = await runBrowserBench(browserOptions);
	results.browser = browser;
	for (const table of browserTables(browser)) console.log(`\n${table}`);
}

if (!only || only === 'start') {
	console.log('start: cold start of the installed app and the loss window after a kill ...');
	const start = await runAppStartBench(appStartOptions);
	results.start = start;
	for (const table of appStartTables(start)) console.log(`\n${table}`);
}

if (!only || only === 'library') {
	console.log('library: search index build, queries, size and catch-up ...');
	const library = await runLibraryBench(libraryOptions);
	results.library = library;
	for (const table of libraryTables(library)) console.log(`\n${table}`);
}

if (!only || only === 'import') {
	console.log('import: Claude Code transcripts through the Import button ...');
	const imported = await runImportBench(importOptions);
	results.import = imported;
	for (const table of importTables(imported)) console.log(`\n${table}`);
}

results.loadAverageAtEnd = os.loadavg();
console.log(`\nload average ${load()} at the end`);

const dir = path.join(here, 'results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, '\t') + '\n');
fs.copyFileSync(file, path.join(dir, 'latest.json'));
console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
