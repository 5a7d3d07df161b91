/**
 * Soak, fuzz: seeded frames (fuzz-frames.ts) at the real sync endpoint over authenticated
 * sockets, several at once; a socket the server closes (as it should on a bad frame) is replaced
 * by a new one. Each frame is followed by a WebSocket ping: its pong (or the close) says the
 * server has handled the frame before the next is sent. Meanwhile a worker thread polls
 * `/api/health`, so the figures are the server's, not this process's. The server must never
 * exit, health must always answer, and fuzzed documents must still sync afterwards (R8, [HD16]).
 */
import { Worker } from 'node:worker_threads';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { DocName } from '../../../src/lib/core/doc-names.js';
import { subprotocol } from '../../../src/lib/core/sync-protocol.js';
import { seeded } from '../../lib/seeded.js';
import { waitFor, type TetherServer } from '../harness.js';
import { connect, type Account } from '../sync-client.js';
import { FrameGenerator } from './fuzz-frames.js';

export interface FuzzOptions {
	seed: number;
	frames: number;
	/** Sockets sending at once. */
	sockets?: number;
	healthIntervalMs?: number;
	/** Called every few seconds with the frames handled so far. */
	progress?: (frames: number) => void;
}

export interface HealthFigures {
	polls: number;
	/** Polls that got no answer or an error status, and why (the first few). */
	failures: number;
	errors: string[];
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	/** The server's own event-loop delay since it started, from the last answer. */
	loopDelayP99Ms: number;
	loopDelayMaxMs: number;
	/** The same maximum at the first poll: a larger one at the end was set while fuzzing. */
	loopDelayMaxBeforeMs: number;
}

type LoopDelay = { loopDelayP99Ms?: number; loopDelayMaxMs?: number };

export interface FuzzResult {
	seed: number;
	frames: number;
	connections: number;
	/** Frames sent, by kind (valid, mutated, truncated, random, ...). */
	kinds: Record<string, number>;
	/** How the server ended each connection (close code), or `open` at the end. */
	closes: Record<string, number>;
	health: HealthFigures;
	/** Lines the server wrote while being fuzzed (logged errors), and a few of them. */
	serverLogLines: number;
	serverLogSample: string[];
	framesPerSecond: number;
	ms: number;
}

/** Plain JavaScript for the worker, so it runs the same under tsx and vitest. */
const healthPoller = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, intervalMs } = workerData;
let stop = false;
parentPort.on('message', () => (stop = true));
(async () => {
	const latencies = [];
	let failures = 0;
	const errors = [];
	let first = null;
	let last = null;
	while (!stop) {
		const started = performance.now();
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(30000) });
			const body = await res.json();
			if (res.ok) {
				last = body;
				first ??= body;
			} 
			else {
				failures++;
				errors.push('status ' + res.status);
			}
		} catch (error) {
			failures++;
			errors.push(String(error && error.cause ? error.cause : error));
		}
		latencies.push(performance.now() - started);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
	parentPort.postMessage({ latencies, failures, errors: errors.slice(0, 5), first, last });
})();
`;

function startHealthPoller(server: TetherServer, intervalMs: number) {
	const worker = new Worker(healthPoller, {
		eval: true,
		workerData: { url: `${server.url}/api/health`, intervalMs }
	});
	return {
		async stop(): Promise<HealthFigures> {
			const result = new Promise<{
				latencies: number[];
				failures: number;
				errors: string[];
				first: LoopDelay | null;
				last: LoopDelay | null;
			}>((resolve) => worker.once('message', resolve));
			worker.postMessage('stop');
			const { latencies, failures, errors, first, last } = await result;
			await worker.terminate();
			const sorted = latencies.sort((a, b) => a - b);
			const at = (q: number) => Math.round(sorted[Math.floor(q * (sorted.length - 1))] ?? NaN);
			return {
				polls: sorted.length,
				failures,
				errors,
				p50Ms: at(0.5),
				p99Ms: at(0.99),
				maxMs: Math.round(sorted.at(-1) ?? NaN),
				loopDelayP99Ms: last?.loopDelayP99Ms ?? NaN,
				loopDelayMaxMs: last?.loopDelayMaxMs ?? NaN,
				loopDelayMaxBeforeMs: first?.loopDelayMaxMs ?? NaN
			};
		}
	};
}

/** One authenticated socket, with a barrier: wait until the server handled what was sent. */
class FuzzSocket {
	readonly ws: WebSocket;
	closeCode: number | undefined;
	readonly #ended: Promise<void>;
	readonly ready: Promise<boolean>;

	constructor(url: string, token: string) {
		this.ws = new WebSocket(url, [subprotocol.tether, subprotocol.authPrefix + token], {
			perMessageDeflate: false
		});
		this.ws.on('error', () => {});
		this.#ended = new Promise((resolve) =>
			this.ws.once('close', (code) => {
				this.closeCode = code;
				resolve();
			})
		);
		// The server's sync step 1 comes once the document is loaded: from then on, frames are
		// handled as they arrive instead of being queued behind the load.
		this.ready = Promise.race([
			new Promise<boolean>((resolve) => this.ws.once('message', () => resolve(true))),
			this.#ended.then(() => false)
		]);
	}

	/** Sends one frame; resolves false once the server closed the socket instead of answering. */
	async send(data: Uint8Array | string, timeoutMs: number): Promise<boolean> {
		if (this.ws.readyState !== WebSocket.OPEN) return false;
		const ponged = new Promise<boolean>((resolve) => this.ws.once('pong', () => resolve(true)));
		this.ws.send(data);
		this.ws.ping();
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timedOut = new Promise<'timeout'>((resolve) => {
			timer = setTimeout(() => resolve('timeout'), timeoutMs);
		});
		const outcome = await Promise.race([ponged, this.#ended.then(() => false), timedOut]);
		clearTimeout(timer);
		this.ws.removeAllListeners('pong');
		if (outcome === 'timeout') throw new Error(`no answer to a frame within ${timeoutMs} ms`);
		return outcome;
	}

	close(): Promise<void> {
		this.ws.close();
		return this.#ended;
	}
}

const count = (record: Record<string, number>, key: string) =>
	(record[key] = (record[key] ?? 0) + 1);

/**
 * Throws with the seed in its message when the server crashed or a fuzzed document no longer
 * syncs; health failures and latencies are in the result, for the caller to judge.
 */
export async function runFuzz(
	server: TetherServer,
	accounts: Account[],
	options: FuzzOptions
): Promise<FuzzResult> {
	const { seed } = options;
	const fail = (what: string) => new Error(`soak fuzz failed (seed ${seed}): ${what}`);
	const started = performance.now();
	const tag = `${seed}-${Date.now().toString(36)}`;
	const kinds: Record<string, number> = {};
	const closes: Record<string, number> = {};
	const docsUsed = new Set<DocName>();
	const logStart = server.output().length;
	let sent = 0;
	let connections = 0;
	let exited: string | undefined;
	const child = server.process;
	const onExit = (code: number | null, signal: string | null) =>
		(exited = `the server exited with ${signal ?? code}`);
	child?.once('exit', onExit);
	const health = startHealthPoller(server, options.healthIntervalMs ?? 100);
	let lastProgress = performance.now();

	async function slot(index: number): Promise<void> {
		const random = seeded(seed * 1009 + index);
		const frames = new FrameGenerator(random);
		const account = accounts[index % accounts.length]!;
		try {
			while (sent < options.frames && !exited) {
				// A few documents per account, new ones every 25,000 frames, so none grows for ever.
				const doc: DocName = `session.fuzz-${tag}-${Math.floor(sent / 25_000)}-${Math.floor(random() * 4)}`;
				docsUsed.add(doc);
				const socket = new FuzzSocket(`${server.wsUrl}/sync/${doc}`, account.token);
				connections++;
				if (!(await socket.ready)) {
					count(closes, `refused ${socket.closeCode}`);
					continue;
				}
				while (sent < options.frames && !exited) {
					const frame = frames.next();
					count(kinds, frame.kind);
					sent++;
					if (!(await socket.send(frame.data, 30_000))) break;
					if (performance.now() - lastProgress > 5000) {
						lastProgress = performance.now();
						options.progress?.(sent);
					}
				}
				if (socket.closeCode === undefined) {
					count(closes, 'open');
					await socket.close();
				} else count(closes, String(socket.closeCode));
			}
		} finally {
			frames.destroy();
		}
	}

	let figures: HealthFigures;
	try {
		await Promise.all(Array.from({ length: options.sockets ?? 16 }, (_, i) => slot(i)));
	} finally {
		figures = await health.stop();
		child?.off('exit', onExit);
	}
	const ms = performance.now() - started;
	if (exited) throw fail(exited);

	// The fuzzed documents still sync: two devices share an edit, and a third reads it back.
	const account = accounts[0]!;
	const docName = [...docsUsed][0] ?? `session.fuzz-${tag}-check`;
	const a = connect(server, account, docName, new Y.Doc(), { awareness: null });
	const b = connect(server, account, docName, new Y.Doc(), { awareness: null });
	try {
		await Promise.all([a.whenSynced, b.whenSynced]);
		a.doc.getText('after-fuzz').insert(0, 'still syncing 👍🏽');
		await waitFor(() => b.doc.getText('after-fuzz').toString() === 'still syncing 👍🏽', {
			timeoutMs: 30_000,
			message: `an edit to relay after the fuzz (seed ${seed})`
		}).catch((error: Error) => {
			throw fail(error.message);
		});
	} finally {
		a.destroy();
		b.destroy();
	}

	const log = server
		.output()
		.slice(logStart)
		.split('\n')
		.filter((line) => line.trim() !== '');
	return {
		seed,
		frames: sent,
		connections,
		kinds,
		closes,
		health: figures,
		serverLogLines: log.length,
		serverLogSample: [...new Set(log)].slice(0, 5),
		framesPerSecond: Math.round(sent / (ms / 1000)),
		ms: Math.round(ms)
	};
}
