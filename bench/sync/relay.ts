import { performance } from 'node:perf_hooks';
import { cpuMicros } from '../lib/proc.js';
import { seeded, summarize, type Summary } from '../lib/stats.js';
import type { BenchClient } from '../lib/yclient.js';

/** A server under test: the same document names on each, its own way of connecting. */
export interface Target {
	name: string;
	/** The server's process, whose CPU time is read from /proc. */
	pid: number;
	/** Several instances: every process whose CPU counts (else just `pid`). */
	pids?: number[];
	connect(docName: string): BenchClient;
	/** Our server acknowledges stored updates; the others do not. */
	acks: boolean;
}

export interface RelayOptions {
	clients: number;
	docs: number;
	/** Measured edits per client, after `warmup` unmeasured ones. */
	updatesPerClient: number;
	warmup: number;
	/** Each client edits once per interval, at its own seeded offset; 0 sends all edits at once. */
	intervalMs: number;
	seed: number;
	/** Sockets opened at once while connecting. */
	connectConcurrency: number;
}

export interface RelayResult {
	target: string;
	relay: Summary;
	stored: Summary | null;
	/** Edits per second across all clients, as scheduled (Infinity for a burst). */
	offeredPerSecond: number;
	/** Edits sent, divided by the time from the first send to the last receipt. */
	relayedPerSecond: number;
	/** Receipts that never arrived before the deadline (should be 0). */
	missing: number;
	elapsedMs: number;
	/**
	 * Server CPU (user + system) from the first edit until every edit was relayed (and, on ours,
	 * acknowledged as stored), divided by the relayed updates delivered in that window.
	 */
	cpuMicrosPerUpdate: number;
}

/**
 * Relay latency: `clients` sockets over `docs` documents; each client appends a small item to a
 * Y.Array in its document at a fixed rate; every other client of that document notes when the
 * item arrives. Sender and receivers are in this process, so one clock times both ends.
 */
export async function measureRelay(target: Target, options: RelayOptions): Promise<RelayResult> {
	const random = seeded(options.seed);
	const prefix = `session.relay${options.seed}x`;
	const clients: BenchClient[] = [];
	for (let i = 0; i < options.clients; i += options.connectConcurrency) {
		const batch = [];
		for (let j = i; j < Math.min(options.clients, i + options.connectConcurrency); j++) {
			batch.push(target.connect(`${prefix}${j % options.docs}`));
		}
		await Promise.all(batch.map((c) => c.synced));
		clients.push(...batch);
	}

	const sentAt = new Map<string, number>();
	const latencies: number[] = [];
	const perDoc = new Map<number, number>();
	for (let i = 0; i < options.clients; i++)
		perDoc.set(i % options.docs, (perDoc.get(i % options.docs) ?? 0) + 1);
	const total = options.updatesPerClient + options.warmup;
	let expected = 0;
	let received = 0;
	let lastReceipt = 0;
	clients.forEach((client, i) => {
		expected += total * ((perDoc.get(i % options.docs) ?? 1) - 1);
		client.doc.getArray<string>('bench').observe((event) => {
			const now = performance.now();
			for (const change of event.changes.delta) {
				for (const key of (change.insert as string[] | undefined) ?? []) {
					const [sender, seq] = key.split(':').map(Number);
					if (sender === i) continue;
					received++;
					lastReceipt = now;
					const t0 = sentAt.get(key);
					if (t0 !== undefined && (seq ?? 0) >= options.warmup) latencies.push(now - t0);
				}
			}
		});
	});

	const start = performance.now() + 50;
	const cpuAtStart = serverCpu(target);
	const done = clients.map(
		(client, i) =>
			new Promise<void>((resolve) => {
				const offset = random() * options.intervalMs;
				const array = client.doc.getArray<string>('bench');
				let seq = 0;
				const tick = () => {
					do {
						const key = `${i}:${seq}`;
						sentAt.set(key, performance.now());
						array.push([key]);
						seq++;
					} while (options.intervalMs === 0 && seq < total);
					if (seq >= total) return resolve();
					setTimeout(
						tick,
						Math.max(0, start + offset + seq * options.intervalMs - performance.now())
					);
				};
				setTimeout(tick, Math.max(0, start + offset - performance.now()));
			})
	);
	await Promise.all(done);
	const deadline = performance.now() + 15_000;
	while (received < expected && performance.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	const elapsedMs = performance.now() - start;
	if (target.acks) await Promise.all(clients.map((c) => c.allStored()));
	const cpuMicrosPerUpdate = (serverCpu(target) - cpuAtStart) / received;
	const stored = target.acks
		? summarize(clients.flatMap((c) => c.storedLatencies.slice(options.warmup)))
		: null;
	await Promise.all(clients.map((c) => c.close()));
	for (const client of clients) client.doc.destroy();
	return {
		target: target.name,
		relay: summarize(latencies),
		stored,
		offeredPerSecond: options.intervalMs ? (options.clients * 1000) / options.intervalMs : Infinity,
		relayedPerSecond: (options.clients * total * 1000) / (lastReceipt - start),
		missing: expected - received,
		elapsedMs,
		cpuMicrosPerUpdate
	};
}

/** CPU time of the target's server processes, in microseconds. */
function serverCpu(target: Target): number {
	return (target.pids ?? [target.pid]).reduce((sum, pid) => sum + cpuMicros(pid), 0);
}
