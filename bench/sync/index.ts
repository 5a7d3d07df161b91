import { startTether, type TetherServer } from '../../tests/server/harness.js';
import { BenchClient } from '../lib/yclient.js';
import { startHocuspocus, startReference, type ExternalServer } from './external.js';
import { measureMemory, type MemoryOptions, type MemoryResult } from './memory.js';
import { checkAgainstProvider } from './provider-check.js';
import { measureRelay, type RelayOptions, type RelayResult, type Target } from './relay.js';

export { syncTables } from './tables.js';

export interface SyncBenchOptions {
	/** Clients, documents, seed, connect concurrency: the same for every server and rate. */
	relay: Pick<RelayOptions, 'clients' | 'docs' | 'seed' | 'connectConcurrency'>;
	/** Edits per second per client for the paced latency figures, one run each. */
	rates: number[];
	/** Measured seconds at each rate, after one second (at least 3 edits) of warm-up. */
	seconds: number;
	/** Edits per client sent all at once: how many edits per second each server gets through. */
	burstUpdatesPerClient: number;
	memory: MemoryOptions;
	/** The server's idle-unload delay for the memory figures (TETHER_DOC_IDLE_MS). */
	idleMs: number;
}

export interface ServerRelay {
	/** One paced run per rate, in the order of `options.rates`. */
	paced: RelayResult[];
	burst: RelayResult;
}

export interface Ratio {
	p50: number;
	p99: number;
}

export type ServerName = 'tether' | 'reference' | 'hocuspocus';

export interface SyncBenchResult {
	options: SyncBenchOptions;
	servers: Record<ServerName, ServerRelay>;
	/** Per rate: tether's relay latency divided by each other server's. */
	ratios: { rate: number; reference: Ratio; hocuspocus: Ratio }[];
	memory: MemoryResult;
}

/** Issues 4 and 7: relay latency and CPU, ours against two other servers, and server memory. */
export async function runSyncBench(options: SyncBenchOptions): Promise<SyncBenchResult> {
	console.log('sync: relay through tether ...');
	const tether = await withOurServer({}, (server, token) =>
		measureServer(options, {
			name: 'tether (SQLite, fsync per update)',
			pid: server.process?.pid ?? 0,
			connect: (doc) =>
				new BenchClient(`${server.wsUrl}/sync/${doc}`, ['tether.v1', `tether.auth.${token}`]),
			acks: true
		})
	);
	console.log('sync: relay through the reference server ...');
	const reference = await withExternal(await startReference(), (server) =>
		measureServer(options, {
			name: '@y/websocket-server 0.1.1 (memory)',
			pid: server.pid,
			connect: (doc) => new BenchClient(`${server.wsUrl}/${doc}`, []),
			acks: false
		})
	);
	console.log('sync: relay through Hocuspocus ...');
	const hocuspocus = await withExternal(await startHocuspocus(), async (server) => {
		await checkAgainstProvider(server.wsUrl);
		return measureServer(options, {
			name: '@hocuspocus/server 3.4.4 (memory)',
			pid: server.pid,
			connect: (document) => new BenchClient(server.wsUrl, [], { kind: 'hocuspocus', document }),
			acks: false
		});
	});
	console.log(
		`sync: memory with ${options.memory.docs} documents, ${options.memory.rounds} rounds ...`
	);
	const memory = await withOurServer(
		// One account holds a socket per loaded document here: lift the per-account cap (S5).
		{ TETHER_DOC_IDLE_MS: String(options.idleMs), TETHER_MAX_SOCKETS_PER_ACCOUNT: '100000' },
		(s, token) => measureMemory(s, token, options.memory)
	);
	const ratio = (ours: RelayResult, theirs: RelayResult): Ratio => ({
		p50: ours.relay.p50 / theirs.relay.p50,
		p99: ours.relay.p99 / theirs.relay.p99
	});
	const ratios = options.rates.map((rate, i) => {
		const at = (server: ServerRelay) => server.paced[i] as RelayResult;
		return {
			rate,
			reference: ratio(at(tether), at(reference)),
			hocuspocus: ratio(at(tether), at(hocuspocus))
		};
	});
	return { options, servers: { tether, reference, hocuspocus }, ratios, memory };
}

/** The paced runs, one per rate, then the burst; each on documents of its own (its seed). */
async function measureServer(options: SyncBenchOptions, target: Target): Promise<ServerRelay> {
	const paced: RelayResult[] = [];
	for (const [i, rate] of options.rates.entries()) {
		paced.push(
			await measureRelay(target, {
				...options.relay,
				seed: options.relay.seed + i,
				intervalMs: 1000 / rate,
				warmup: Math.max(3, Math.ceil(rate)),
				updatesPerClient: Math.ceil(rate * options.seconds)
			})
		);
	}
	const burst = await measureRelay(target, {
		...options.relay,
		seed: options.relay.seed + options.rates.length,
		intervalMs: 0,
		warmup: 0,
		updatesPerClient: options.burstUpdatesPerClient
	});
	return { paced, burst };
}

async function withOurServer<T>(
	env: Record<string, string>,
	body: (server: TetherServer, token: string) => Promise<T>
): Promise<T> {
	// BENCH_NODE_OPTIONS: V8 flags for the server under test (say, --max-semi-space-size=8).
	const nodeOptions = process.env.BENCH_NODE_OPTIONS;
	const server = await startTether({
		entry: 'build',
		env: nodeOptions ? { ...env, NODE_OPTIONS: nodeOptions } : env
	});
	try {
		const { token } = await server.login();
		return await body(server, token);
	} finally {
		await server.close();
	}
}

async function withExternal<T>(
	server: ExternalServer,
	body: (server: ExternalServer) => Promise<T>
): Promise<T> {
	try {
		return await body(server);
	} finally {
		await server.close();
	}
}
