import { startTether } from '../../tests/server/harness.js';
import { formatTable, mib, ms } from '../lib/table.js';
import { measureMemory, type MemoryOptions, type MemoryResult } from './memory.js';
import { startReference } from './reference.js';
import { measureRelay, type RelayOptions, type RelayResult, type Target } from './relay.js';

export interface SyncBenchOptions {
	/** Paced edits: the latency figures. */
	relay: RelayOptions;
	/** Edits per client sent all at once: how many edits per second each server gets through. */
	burstUpdatesPerClient: number;
	memory: MemoryOptions;
	/** The server's idle-unload delay for the memory figures (TETHER_DOC_IDLE_MS). */
	idleMs: number;
}

export interface ServerRelay {
	paced: RelayResult;
	burst: RelayResult;
}

export interface SyncBenchResult {
	options: SyncBenchOptions;
	relay: { ours: ServerRelay; reference: ServerRelay; ratio: { p50: number; p99: number } };
	memory: MemoryResult;
}

/** Issue 4's figures: relay latency, ours against the reference server, and server memory. */
export async function runSyncBench(options: SyncBenchOptions): Promise<SyncBenchResult> {
	const both = async (target: Target): Promise<ServerRelay> => ({
		paced: await measureRelay(target, options.relay),
		burst: await measureRelay(target, {
			...options.relay,
			seed: options.relay.seed + 1,
			intervalMs: 0,
			warmup: 0,
			updatesPerClient: options.burstUpdatesPerClient
		})
	});
	console.log('sync: relay through tether ...');
	const ours = await withOurServer({}, (server, token) =>
		both({
			name: 'tether (SQLite, fsync per update)',
			url: (doc) => `${server.wsUrl}/sync/${doc}`,
			protocols: ['tether.v1', `tether.auth.${token}`],
			acks: true
		})
	);
	console.log('sync: relay through the reference server ...');
	const server = await startReference();
	let reference: ServerRelay;
	try {
		reference = await both({
			name: '@y/websocket-server 0.1.1 (memory)',
			url: (doc) => `${server.wsUrl}/${doc}`,
			protocols: [],
			acks: false
		});
	} finally {
		await server.close();
	}
	console.log(
		`sync: memory with ${options.memory.docs} documents, ${options.memory.rounds} rounds ...`
	);
	const memory = await withOurServer(
		// One account holds a socket per loaded document here: lift the per-account cap (S5).
		{ TETHER_DOC_IDLE_MS: String(options.idleMs), TETHER_MAX_SOCKETS_PER_ACCOUNT: '100000' },
		(s, token) => measureMemory(s, token, options.memory)
	);
	return {
		options,
		relay: {
			ours,
			reference,
			ratio: {
				p50: ours.paced.relay.p50 / reference.paced.relay.p50,
				p99: ours.paced.relay.p99 / reference.paced.relay.p99
			}
		},
		memory
	};
}

async function withOurServer<T>(
	env: Record<string, string>,
	body: (server: Awaited<ReturnType<typeof startTether>>, token: string) => Promise<T>
): Promise<T> {
	const server = await startTether({ entry: 'build', env });
	try {
		const { token } = await server.login();
		return await body(server, token);
	} finally {
		await server.close();
	}
}

export function syncTables(result: SyncBenchResult): string[] {
	const { relay, memory, options } = result;
	const o = options.relay;
	const row = (r: RelayResult, what: string, s = r.relay) => [
		r.target,
		what,
		s.count,
		ms(s.p50),
		ms(s.p90),
		ms(s.p99),
		ms(s.max),
		r.missing
	];
	const latency = formatTable(
		`Sync relay: ${o.clients} clients over ${o.docs} documents, one edit per client every ` +
			`${o.intervalMs} ms (${(o.clients * 1000) / o.intervalMs}/s offered), ` +
			`${o.updatesPerClient} measured edits each`,
		['server', 'measure', 'samples', 'p50', 'p90', 'p99', 'max', 'missing'],
		[
			row(relay.ours.paced, 'edit -> other client'),
			row(relay.reference.paced, 'edit -> other client'),
			...(relay.ours.paced.stored
				? [row(relay.ours.paced, 'edit -> stored ack', relay.ours.paced.stored)]
				: []),
			[
				'ratio tether / reference',
				'edit -> other client',
				'',
				relay.ratio.p50.toFixed(2),
				'',
				relay.ratio.p99.toFixed(2),
				'',
				''
			]
		]
	);
	const goal = `Goal: tether p99 no worse than the reference's (ratio <= 1.00) while storing every update: ${
		relay.ratio.p99 <= 1 ? 'met' : 'not met'
	} (${relay.ratio.p99.toFixed(2)}).`;
	const burst = formatTable(
		`Sync throughput: ${o.clients} clients each send ${options.burstUpdatesPerClient} edits at once`,
		['server', 'edits', 'relayed/s', 'p50 wait', 'p99 wait', 'missing'],
		[relay.ours.burst, relay.reference.burst].map((r) => [
			r.target,
			r.relay.count,
			Math.round(r.relayedPerSecond),
			ms(r.relay.p50),
			ms(r.relay.p99),
			r.missing
		])
	);
	const rounds = memory.rounds;
	const last = rounds[rounds.length - 1];
	const first = rounds[0];
	const memoryTable = formatTable(
		`Server memory (RSS): ${memory.docs} session documents of ${memory.messagesPerDoc} messages, ` +
			`one socket each; idle unload after ${options.idleMs} ms; ${memory.cycles} open/close cycles`,
		['state', 'RSS', 'vs baseline', 'open all', 'unload all'],
		[
			['baseline (signed in, no documents)', mib(memory.baselineRss), '', '', ''],
			...(first ? roundRows(first, memory.baselineRss, memory.docs) : []),
			...(last && last !== first ? roundRows(last, memory.baselineRss, memory.docs) : [])
		]
	);
	const trend =
		'Idle RSS after each round (MiB): ' +
		rounds.map((r) => (r.idleRss / 1024 / 1024).toFixed(0)).join(', ') +
		'. RSS includes garbage V8 has not collected yet: a leak shows as growth that does not level off.';
	return [latency, goal, burst, memoryTable, trend];
}

function roundRows(r: MemoryResult['rounds'][number], baseline: number, docs: number) {
	const delta = (rss: number) => `${rss >= baseline ? '+' : ''}${mib(rss - baseline)}`;
	return [
		[`round ${r.round}: ${docs} loaded`, mib(r.loadedRss), delta(r.loadedRss), ms(r.openMs), ''],
		[`round ${r.round}: all idle, unloaded`, mib(r.idleRss), delta(r.idleRss), '', ms(r.unloadMs)]
	];
}
