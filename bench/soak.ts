/**
 * `npm run soak`: long runs through the real server process, not part of `npm test`.
 *
 *   converge  5 replicas (the app's SyncProvider) x 1,000 seeded random operations on one session
 *             document, with offline spells; every replica equals a fresh device at the end.
 *   kill      300 rounds of clients writing while the server is killed (SIGKILL) at a random
 *             moment and restarted on the same DATA_DIR: no acknowledged update lost.
 *   fuzz      10^6 fuzzed frames at the sync endpoint over authenticated sockets, `/api/health`
 *             polled throughout: no crash, no answer slower than a second.
 *   memory    RSS across rounds of documents opened and closed (R11, [HD10], [HD13]).
 *
 * SOAK_ONLY=converge,kill,... picks parts (default all); SOAK_SHORT=1 (or --short) runs small
 * sizes to try it. Sizes: SOAK_REPLICAS, SOAK_OPS, SOAK_CONVERGE_RUNS, SOAK_KILL_ROUNDS,
 * SOAK_KILL_WRITERS, SOAK_FUZZ_FRAMES, SOAK_FUZZ_SOCKETS, SOAK_DOCS, SOAK_ROUNDS. SOAK_SEED fixes
 * the seed (default: random, printed). SOAK_ENTRY=build runs the built server (`npm run build`
 * first; restarts are faster than through tsx); SOAK_NODE_OPTIONS passes V8 flags to it.
 * Figures go to bench/results/soak-<part>-latest.json. A failure prints its seed and how to pin it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTether, type TetherServer } from '../tests/server/harness.js';
import { signIn } from '../tests/server/sync-client.js';
import { runConvergence } from '../tests/server/soak/converge.js';
import { runFuzz } from '../tests/server/soak/fuzz.js';
import { runKillRounds } from '../tests/server/soak/kill.js';
import { measureMemory } from './sync/memory.js';
import { formatTable, mib, ms } from './lib/table.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const short = process.env.SOAK_SHORT === '1' || process.argv.includes('--short');
const count = (name: string, full: number, quick: number) => {
	const value = Number(process.env[name] ?? (short ? quick : full));
	if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number`);
	return value;
};
const parts = ['converge', 'kill', 'fuzz', 'memory'] as const;
type Part = (typeof parts)[number];
const only = (process.env.SOAK_ONLY ?? parts.join(','))
	.split(',')
	.map((p) => p.trim())
	.filter(Boolean);
for (const p of only)
	if (!parts.includes(p as Part)) throw new Error(`SOAK_ONLY: unknown part "${p}" (${parts})`);
const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const entry = process.env.SOAK_ENTRY === 'build' ? 'build' : 'source';
const load = () => os.loadavg().map((l) => Number(l.toFixed(1)));

function save(part: Part, result: object, startLoad: number[]): void {
	const dir = path.join(here, 'results');
	fs.mkdirSync(dir, { recursive: true });
	const record = {
		at: new Date().toISOString(),
		command: [
			`SOAK_ONLY=${part}`,
			...Object.entries(process.env)
				.filter(([name]) => name.startsWith('SOAK_') && !['SOAK_ONLY', 'SOAK_SEED'].includes(name))
				.map(([name, value]) => `${name}=${value}`),
			`SOAK_SEED=${seed}`,
			'npm run soak'
		].join(' '),
		entry,
		cpus: os.cpus().length,
		loadAverage: { start: startLoad, end: load() },
		...result
	};
	fs.writeFileSync(
		path.join(dir, `soak-${part}-latest.json`),
		JSON.stringify(record, null, '\t') + '\n'
	);
}

async function withServer<T>(
	env: Record<string, string>,
	run: (server: TetherServer) => Promise<T>
): Promise<T> {
	const server = await startTether({
		entry,
		env: {
			...env,
			...(process.env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS } : {})
		}
	});
	try {
		return await run(server);
	} finally {
		await server.close();
	}
}

const soaks: Record<Part, (startLoad: number[]) => Promise<object>> = {
	async converge() {
		const runs = count('SOAK_CONVERGE_RUNS', 3, 1);
		const replicas = count('SOAK_REPLICAS', 5, 5);
		const operations = count('SOAK_OPS', 1000, 100);
		return withServer({}, async (server) => {
			const account = await signIn(server, 'soak');
			const results = [];
			for (let run = 0; run < runs; run++) {
				const result = await runConvergence(server, account, {
					seed: seed + run,
					replicas,
					operations,
					settleTimeoutMs: 120_000
				});
				console.log(
					`  seed ${result.seed}: ${result.operations} operations, ${result.offlineSpells} offline ` +
						`spells, ${result.messages} messages (${result.stateBytes} bytes): converged in ${ms(result.ms)}`
				);
				results.push(result);
			}
			return { runs: results };
		});
	},

	async kill() {
		const rounds = count('SOAK_KILL_ROUNDS', 300, 5);
		const writers = count('SOAK_KILL_WRITERS', 3, 3);
		return withServer({}, async (server) => {
			const account = await signIn(server, 'soak');
			const result = await runKillRounds(server, account, {
				seed,
				rounds,
				writers,
				progress: (done) => {
					if (done % 25 === 0) console.log(`  ${done} rounds (load ${load()[0]})`);
				}
			});
			console.log(
				`  ${result.rounds} kills: ${result.acknowledgedChecked} acknowledged items checked, 0 lost ` +
					`(${result.unacknowledgedAtKill} were in flight); ${result.stayerItems} items of the ` +
					`writers that stayed converged; restart ${ms(result.restartMs.median)} median`
			);
			return result;
		});
	},

	async fuzz(startLoad) {
		const frames = count('SOAK_FUZZ_FRAMES', 1_000_000, 5000);
		const sockets = count('SOAK_FUZZ_SOCKETS', 16, 16);
		return withServer({}, async (server) => {
			const accounts = [];
			for (let i = 0; i < 4; i++) accounts.push(await signIn(server, `fuzz${i}`));
			const started = performance.now();
			const result = await runFuzz(server, accounts, {
				seed,
				frames,
				sockets,
				progress: (n) => {
					const rate = n / ((performance.now() - started) / 1000);
					console.log(`  ${n} frames (${rate.toFixed(0)}/s, load ${load()[0]})`);
				}
			});
			const h = result.health;
			console.log(
				`  ${result.frames} frames over ${result.connections} connections ` +
					`(${result.framesPerSecond}/s): server alive; /api/health ${h.polls} polls, ` +
					`p50 ${ms(h.p50Ms)}, p99 ${ms(h.p99Ms)}, max ${ms(h.maxMs)} ` +
					`(goal under 1 s: ${h.maxMs < 1000 ? 'met' : 'NOT met'}); ` +
					`loop delay p99 ${ms(h.loopDelayP99Ms)}, max ${ms(h.loopDelayMaxMs)}`
			);
			console.log(`  closes: ${JSON.stringify(result.closes)}`);
			if (h.failures > 0) {
				save('fuzz', result, startLoad);
				throw new Error(
					`soak fuzz failed (seed ${seed}): ${h.failures} health polls failed: ${h.errors.join('; ')}`
				);
			}
			return result;
		});
	},

	async memory() {
		const docs = count('SOAK_DOCS', 200, 50);
		const rounds = count('SOAK_ROUNDS', 3, 2);
		const env = { TETHER_DOC_IDLE_MS: '200', TETHER_MAX_SOCKETS_PER_ACCOUNT: '100000' };
		const result = await withServer(env, async (server) => {
			const { token } = await server.login();
			return measureMemory(server, token, {
				docs,
				rounds,
				messagesPerDoc: 20,
				connectConcurrency: 50
			});
		});
		const last = result.rounds.at(-1);
		const growth = last ? last.idleRss / result.baselineRss - 1 : NaN;
		console.log(
			formatTable(
				`Server RSS (baseline ${mib(result.baselineRss)}; goal: idle within 20% of it)`,
				['round', 'loaded', 'just unloaded', 'idle 3 s later', 'open', 'unload'],
				result.rounds.map((r) => [
					r.round,
					mib(r.loadedRss),
					mib(r.unloadedRss),
					mib(r.idleRss),
					ms(r.openMs),
					ms(r.unloadMs)
				])
			)
		);
		console.log(
			`idle RSS after ${result.cycles} open/close cycles: ${mib(last?.idleRss ?? NaN)} ` +
				`(${(growth * 100).toFixed(0)}% over baseline)`
		);
		return { ...result, growth };
	}
};

console.log(
	`soak${short ? ' (short)' : ''}: ${only.join(', ')}; seed ${seed}; ${entry} server; load ${load()[0]}`
);
let failed = false;
for (const part of only as Part[]) {
	const startLoad = load();
	const started = performance.now();
	console.log(`\n${part}:`);
	try {
		const result = await soaks[part](startLoad);
		save(part, result, startLoad);
		console.log(`  ${part} passed in ${ms(performance.now() - started)} (load ${load()[0]})`);
	} catch (error) {
		failed = true;
		console.error(`  ${part} FAILED: ${error instanceof Error ? error.message : String(error)}`);
		console.error(
			`  reproduce with SOAK_ONLY=${part} and SOAK_SEED set to the seed in the message above ` +
				`(sizes as this run), and pin that seed in tests/server/soak.spec.ts`
		);
	}
}
process.exit(failed ? 1 : 0);
