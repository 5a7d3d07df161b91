import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import type { MessageRow, SessionRow } from '../../src/lib/core/rows.js';
import { TetherDb } from '../../src/lib/store/db.js';
import { SearchIndex } from '../../src/lib/store/search-index.js';
import { summarize, type Summary } from '../lib/stats.js';
import { formatTable, mib, ms } from '../lib/table.js';

export interface LibraryBenchOptions {
	/** Messages in the account, spread over `sessions`. */
	messages: number;
	sessions: number;
	/** Messages that arrive (as by sync) after the index was built. */
	arriving: number;
	queries: number;
}

export interface LibraryBenchResult {
	messages: number;
	/** First build of the index over every message (a device that never indexed). */
	buildMs: number;
	/** One query: MiniSearch plus reading the hits' rows for snippets. */
	queryMs: Summary;
	/** The saved index (its segments' MiniSearch JSON and ids per session, and the manifest). */
	savedBytes: number;
	/** Taking in `arriving` new messages queued by the projection, saving included. */
	catchUpMs: number;
	/** Bytes of saved rows the catch-up wrote (rows whose content changed). */
	catchUpWritten: number;
	/** Segments the index is in after the catch-up. */
	segments: number;
	arriving: number;
	/** Opening the saved index again, as a reload does. */
	reopenMs: number;
}

const words = (
	'gateway certificate deploy kubernetes quokka lunch budget invoice renew refactor migrate ' +
	'database index latency release rollback schema parser token stream emoji café שלום naïve'
).split(' ');

/** Deterministic prose: what people write, enough distinct words for a real index. */
function text(i: number): string {
	const parts: string[] = [];
	let x = i * 2654435761;
	for (let w = 0; w < 40; w++) {
		x = (x * 1103515245 + 12345) >>> 0;
		parts.push(words[x % words.length]!, `w${x % 5000}`);
	}
	return parts.join(' ');
}

/**
 * Issue 10's search figures, in Node over fake-indexeddb (its IndexedDB is slower than a
 * browser's; the MiniSearch work is the same): an index built over `messages` messages, query
 * time, the saved index's size, catch-up after `arriving` messages came by sync, and a reopen.
 */
export async function runLibraryBench(options: LibraryBenchOptions): Promise<LibraryBenchResult> {
	const db = new TetherDb(`bench-search-${Date.now()}`);
	try {
		const now = Date.now();
		const sessions: SessionRow[] = Array.from({ length: options.sessions }, (_, s) => ({
			id: `s${s}`,
			projectId: 'p1',
			title: `Session ${s} about ${words[s % words.length]}`,
			renamed: false,
			createdAt: now,
			lastActivity: now
		}));
		const row = (i: number): MessageRow => ({
			id: `m${i}`,
			sessionId: `s${i % options.sessions}`,
			seq: Math.floor(i / options.sessions),
			role: i % 2 ? 'assistant' : 'user',
			text: text(i),
			createdAt: now
		});
		await db.sessions.bulkPut(sessions);
		for (let i = 0; i < options.messages; i += 5000) {
			const rows = Array.from({ length: Math.min(5000, options.messages - i) }, (_, k) =>
				row(i + k)
			);
			await db.messages.bulkPut(rows);
		}

		let started = performance.now();
		const index = await SearchIndex.open(db);
		await index.catchUp();
		const buildMs = performance.now() - started;

		const queryTimes: number[] = [];
		for (let q = 0; q < options.queries; q++) {
			const query = `${words[q % words.length]} w${(q * 37) % 5000}`;
			started = performance.now();
			await index.search(query);
			queryTimes.push(performance.now() - started);
		}

		const savedRows = async () =>
			new Map((await db.meta.toArray()).map((m) => [m.key, JSON.stringify(m)]));
		const before = await savedRows();
		const saved = [...before.values()].reduce((sum, row) => sum + row.length, 0);

		// Messages arriving by sync: the projection writes their rows and queues their session.
		const arriving = Array.from({ length: options.arriving }, (_, k) => row(options.messages + k));
		await db.messages.bulkPut(arriving);
		const queued = new Map<string, number>();
		for (const r of arriving)
			queued.set(r.sessionId, Math.min(queued.get(r.sessionId) ?? Infinity, r.seq));
		await db.searchQueue.bulkAdd(
			[...queued].map(([sessionId, fromSeq]) => ({ sessionId, fromSeq, ids: [] }))
		);
		started = performance.now();
		await index.catchUp();
		const catchUpMs = performance.now() - started;
		let catchUpWritten = 0;
		for (const [key, row] of await savedRows())
			if (before.get(key) !== row) catchUpWritten += row.length;
		const segments = index.segmentCount;
		index.close();

		started = performance.now();
		const reopened = await SearchIndex.open(db);
		await reopened.search(words[0]!);
		const reopenMs = performance.now() - started;
		reopened.close();

		return {
			messages: options.messages,
			buildMs,
			queryMs: summarize(queryTimes),
			savedBytes: saved,
			catchUpMs,
			catchUpWritten,
			segments,
			arriving: options.arriving,
			reopenMs
		};
	} finally {
		db.close();
		await db.delete();
	}
}

export function libraryTables(r: LibraryBenchResult): string[] {
	return [
		formatTable(
			`Search over ${r.messages} messages (Node, fake-indexeddb)`,
			['figure', 'value', 'goal'],
			[
				['index built from nothing', ms(r.buildMs), '-'],
				['query p50', ms(r.queryMs.p50), '< 50 ms'],
				['query p95', ms(r.queryMs.p95), '-'],
				['saved index', mib(r.savedBytes), 'measured'],
				[`catch-up after ${r.arriving} synced messages`, ms(r.catchUpMs), 'measured'],
				['  of it written', mib(r.catchUpWritten), 'little'],
				['  segments after it', String(r.segments), '-'],
				['reopen the saved index and query', ms(r.reopenMs), '-']
			]
		)
	];
}
