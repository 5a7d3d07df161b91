import { appendMessage } from '../../src/lib/core/shapes.js';
import { waitFor, type TetherServer } from '../../tests/server/harness.js';
import { rssBytes } from '../lib/proc.js';
import { BenchClient } from '../lib/yclient.js';

export interface MemoryOptions {
	docs: number;
	/** Rounds of opening every document and letting it go idle; round 1 writes the content. */
	rounds: number;
	messagesPerDoc: number;
	connectConcurrency: number;
	/** How long the server stays idle after the unload before `idleRss` is read (default 3 s). */
	idleSettleMs?: number;
}

export interface MemoryRound {
	round: number;
	loadedRss: number;
	/** The moment the last document unloaded. */
	unloadedRss: number;
	/** After `idleSettleMs` more of doing nothing (the server collects once unloads stop, [HD13]). */
	idleRss: number;
	/** From opening the first socket to every document synced. */
	openMs: number;
	/** From closing the last socket to the server reporting 0 loaded documents. */
	unloadMs: number;
}

export interface MemoryResult {
	docs: number;
	messagesPerDoc: number;
	baselineRss: number;
	rounds: MemoryRound[];
	cycles: number;
}

/**
 * Server RSS with `docs` session documents loaded (one socket each, each with
 * `messagesPerDoc` messages), and after they are closed and the server unloads them. Later rounds
 * load the same documents from storage again, so growth across rounds would show a leak (R11).
 * The server must run with a short TETHER_DOC_IDLE_MS.
 */
export async function measureMemory(
	server: TetherServer,
	token: string,
	options: MemoryOptions
): Promise<MemoryResult> {
	const pid = server.process?.pid;
	if (!pid) throw new Error('the server process is not running');
	const protocols = ['tether.v1', `tether.auth.${token}`];
	const loaded = async () =>
		((await server.request('GET', '/api/health')).body as { loadedDocs?: number }).loadedDocs ?? -1;
	const baselineRss = rssBytes(pid);
	const rounds: MemoryRound[] = [];

	for (let round = 1; round <= options.rounds; round++) {
		const opened = performance.now();
		const clients: BenchClient[] = [];
		for (let i = 0; i < options.docs; i += options.connectConcurrency) {
			const batch: BenchClient[] = [];
			for (let j = i; j < Math.min(options.docs, i + options.connectConcurrency); j++) {
				batch.push(new BenchClient(`${server.wsUrl}/sync/session.mem${j}`, protocols));
			}
			await Promise.all(batch.map((c) => c.synced));
			if (round === 1) {
				await writeMessages(batch, i, options.messagesPerDoc);
			}
			clients.push(...batch);
		}
		const openMs = performance.now() - opened;
		await waitFor(async () => (await loaded()) >= options.docs, {
			timeoutMs: 30_000,
			message: `${options.docs} loaded documents`
		});
		const loadedRss = rssBytes(pid);
		const closing = performance.now();
		await Promise.all(clients.map((c) => c.close()));
		for (const client of clients) client.doc.destroy();
		await waitFor(async () => (await loaded()) === 0, {
			timeoutMs: 60_000,
			intervalMs: 50,
			message: 'every document to unload'
		});
		const unloadMs = performance.now() - closing;
		const unloadedRss = rssBytes(pid);
		await new Promise((resolve) => setTimeout(resolve, options.idleSettleMs ?? 3000));
		rounds.push({ round, loadedRss, unloadedRss, idleRss: rssBytes(pid), openMs, unloadMs });
	}
	return {
		docs: options.docs,
		messagesPerDoc: options.messagesPerDoc,
		baselineRss,
		rounds,
		cycles: options.docs * options.rounds
	};
}

const body = 'A line of a long answer, with some code and prose in it. '.repeat(5);

/** Writes `count` messages of a few hundred bytes into each client's document; resolves once stored. */
export async function writeMessages(
	clients: BenchClient[],
	firstIndex: number,
	count: number
): Promise<void> {
	for (const [k, client] of clients.entries()) {
		client.doc.transact(() => {
			for (let m = 0; m < count; m++) {
				appendMessage(client.doc, {
					id: `m${firstIndex + k}-${m}`,
					role: m % 2 ? 'assistant' : 'user',
					text: `${m}: ${body}`,
					createdAt: 1_700_000_000_000 + m
				});
			}
		});
	}
	await Promise.all(clients.map((c) => c.allStored()));
}
