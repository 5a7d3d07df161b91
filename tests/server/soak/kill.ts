/**
 * Soak, kill -9: rounds in which clients write while the server is killed with SIGKILL at a
 * seeded random moment and restarted on the same DATA_DIR. Every update a client saw
 * acknowledged as stored before the kill must be on disk after restart (R2, R3, [HD15]), and
 * the clients that live through all the rounds converge with the server at the end.
 *
 * A device that stays would re-send what the server lost (its step 2 carries it), hiding the
 * loss, so the check is made on devices that vanish with the server: each round's writers have
 * a document of their own and are destroyed at the kill; only the server's disk can give their
 * items back. Two other writers stay through every round on a shared document.
 */
import * as Y from 'yjs';
import type { DocName } from '../../../src/lib/core/doc-names.js';
import { seeded } from '../../lib/seeded.js';
import { waitFor, type TetherServer } from '../harness.js';
import { connect, type Account } from '../sync-client.js';

export interface KillOptions {
	seed: number;
	rounds: number;
	/** Writers that vanish with the server each round. */
	writers: number;
	/** The kill comes this long (at most) after a random number of items were acknowledged. */
	maxKillDelayMs?: number;
	/** Called after each round with the rounds done. */
	progress?: (rounds: number) => void;
}

export interface KillResult {
	seed: number;
	rounds: number;
	/** Items that were acknowledged as stored before a kill, all found after restart. */
	acknowledgedChecked: number;
	/** Items written but not acknowledged at the kill (allowed to be missing). */
	unacknowledgedAtKill: number;
	/** Items of the writers that stayed, all present on every replica at the end. */
	stayerItems: number;
	restartMs: { median: number; max: number };
	ms: number;
}

/**
 * A device that pushes one item per local transaction into `items` every `everyMs`, once its
 * first sync is done. Each push is one local update and the server acknowledges in order, so the
 * acknowledged items are always the first `pushed - unsyncedCount`.
 */
export function writer(
	server: TetherServer,
	account: Account,
	name: string,
	doc: DocName,
	everyMs = 4
) {
	const provider = connect(server, account, doc, new Y.Doc(), { awareness: null });
	const items = provider.doc.getArray<string>('items');
	let pushed = 0;
	let timer: ReturnType<typeof setInterval> | undefined;
	let stopped = false;
	const ready = provider.whenSynced.then(() => {
		if (!stopped) timer = setInterval(() => items.push([`${name}:${pushed++}`]), everyMs);
	});
	return {
		provider,
		ready,
		get pushed() {
			return pushed;
		},
		acknowledged: () =>
			Array.from({ length: pushed - provider.unsyncedCount }, (_, i) => `${name}:${i}`),
		stop() {
			stopped = true;
			clearInterval(timer);
		}
	};
}

/** What a brand-new device gets from the server alone. */
async function fresh(server: TetherServer, account: Account, doc: DocName): Promise<Y.Doc> {
	const provider = connect(server, account, doc, new Y.Doc(), { awareness: null });
	try {
		await provider.whenSynced;
		return provider.doc;
	} finally {
		provider.destroy();
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Throws with the seed and round in its message when an acknowledged item is missing. */
export async function runKillRounds(
	server: TetherServer,
	account: Account,
	options: KillOptions
): Promise<KillResult> {
	const { seed } = options;
	const started = performance.now();
	const random = seeded(seed);
	const tag = `${seed}-${Date.now().toString(36)}`;
	const fail = (what: string) => new Error(`soak kill failed (seed ${seed}): ${what}`);
	const shared: DocName = `session.kill-${tag}`;
	const stayers = [0, 1].map((i) => writer(server, account, `stay${i}`, shared, 25));
	const restarts: number[] = [];
	let acknowledgedChecked = 0;
	let unacknowledgedAtKill = 0;
	try {
		for (let round = 0; round < options.rounds; round++) {
			const doc: DocName = `session.kill-${tag}-r${round}`;
			const leavers = Array.from({ length: options.writers }, (_, i) =>
				writer(server, account, `r${round}w${i}`, doc)
			);
			// What each device saw acknowledged, read just before the kill: all of it was on disk.
			let acknowledged: string[] = [];
			try {
				await Promise.all(leavers.map((w) => w.ready));
				// A random moment, picked by progress and then by time, so that on a slow machine most
				// rounds still have acknowledged items to check and more in flight behind them.
				const target = Math.floor(random() * 40);
				await waitFor(() => leavers.reduce((n, w) => n + w.acknowledged().length, 0) >= target, {
					timeoutMs: 30_000,
					message: `the writers to write (seed ${seed}, round ${round})`
				});
				await sleep(Math.floor(random() * (options.maxKillDelayMs ?? 100)));
				acknowledged = leavers.flatMap((w) => w.acknowledged());
				await server.kill9();
				unacknowledgedAtKill += leavers.reduce((n, w) => n + w.pushed, 0) - acknowledged.length;
			} finally {
				for (const w of leavers) {
					w.stop();
					w.provider.destroy();
				}
			}
			const restartStarted = performance.now();
			await server.restart();
			restarts.push(performance.now() - restartStarted);
			const stored = new Set(
				(await fresh(server, account, doc)).getArray<string>('items').toArray()
			);
			const missing = acknowledged.filter((item) => !stored.has(item));
			if (missing.length > 0)
				throw fail(`round ${round}: ${missing.length} acknowledged items lost, e.g. ${missing[0]}`);
			acknowledgedChecked += acknowledged.length;
			options.progress?.(round + 1);
		}
		for (const w of stayers) w.stop();
		await waitFor(() => stayers.every((w) => w.provider.status === 'synced'), {
			timeoutMs: 30_000,
			message: `the staying writers synced (seed ${seed})`
		}).catch((error: Error) => {
			throw fail(error.message);
		});
		const replica = await fresh(server, account, shared);
		const items = replica.getArray<string>('items').toArray();
		const present = new Set(items);
		for (const w of stayers) {
			const lost = w.acknowledged().filter((item) => !present.has(item));
			if (lost.length > 0) throw fail(`the shared document lost ${lost.length} acknowledged items`);
			if (w.provider.doc.getArray<string>('items').toArray().join() !== items.join())
				throw fail('a staying writer differs from the server');
			if (Y.encodeStateVector(w.provider.doc).join() !== Y.encodeStateVector(replica).join())
				throw fail('a staying writer has a different state vector from the server');
		}
		const sorted = [...restarts].sort((a, b) => a - b);
		return {
			seed,
			rounds: options.rounds,
			acknowledgedChecked,
			unacknowledgedAtKill,
			stayerItems: items.length,
			restartMs: {
				median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
				max: Math.round(sorted.at(-1) ?? NaN)
			},
			ms: Math.round(performance.now() - started)
		};
	} finally {
		for (const w of stayers) {
			w.stop();
			w.provider.destroy();
		}
	}
}
