import { compactUpdates } from '../../src/lib/core/compaction.js';
import { changeSeqFloor } from './change-seq.js';
import type { Database } from './database.js';
import type { Appended } from './types.js';

/*
 * The write side of the SQLite storage: every change to the document tables goes through one
 * connection, in the writer thread (writer-worker.ts), so the fsync of a commit never blocks the
 * thread that relays updates. Operations run in the order they were requested.
 */

export interface AppendItem {
	accountId: string;
	docName: string;
	update: Uint8Array;
	/** The update records a deletion: mark the document as owing a scrub, in the same commit. */
	scrub: boolean;
}

export type WriteOp =
	| { op: 'append'; items: AppendItem[] }
	| { op: 'compact'; accountId: string; docName: string; scrub: boolean }
	| { op: 'purge'; docs: Array<{ accountId: string; docName: string }> };

/** Per append: the document's log after it, or why it failed (a deleted document). */
export type AppendResult = Appended | { error: string };

export type WriteResult =
	| { op: 'append'; results: AppendResult[] }
	| { op: 'compact'; badUpdates: string[]; freedBytes: number }
	| { op: 'purge' };

export function createWriter(db: Database.Database) {
	const q = {
		snapshot: db.prepare<[string, string], { data: Buffer }>(
			'SELECT data FROM doc_snapshots WHERE account_id = ? AND doc_name = ?'
		),
		log: db.prepare<[string, string], { seq: number; data: Buffer }>(
			'SELECT seq, data FROM doc_updates WHERE account_id = ? AND doc_name = ? ORDER BY seq'
		),
		logStats: db.prepare<[string, string], { n: number; bytes: number }>(
			`SELECT count(*) AS n, coalesce(sum(length(data)), 0) AS bytes
			FROM doc_updates WHERE account_id = ? AND doc_name = ?`
		),
		snapshotBytes: db.prepare<[string, string], { bytes: number }>(
			'SELECT length(data) AS bytes FROM doc_snapshots WHERE account_id = ? AND doc_name = ?'
		),
		insertUpdate: db.prepare<[string, string, Uint8Array]>(
			'INSERT INTO doc_updates (account_id, doc_name, data) VALUES (?, ?, ?)'
		),
		touch: db.prepare<[number, string, string, number]>(
			`REPLACE INTO doc_changes (seq, account_id, doc_name, deleted) VALUES (
				max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'doc_changes'), 0) + 1, ?),
				?, ?, ?)`
		),
		putSnapshot: db.prepare<[string, string, Uint8Array]>(
			'REPLACE INTO doc_snapshots (account_id, doc_name, data) VALUES (?, ?, ?)'
		),
		deleteLogUpTo: db.prepare<[string, string, number]>(
			'DELETE FROM doc_updates WHERE account_id = ? AND doc_name = ? AND seq <= ?'
		),
		deleteLog: db.prepare<[string, string]>(
			'DELETE FROM doc_updates WHERE account_id = ? AND doc_name = ?'
		),
		deleteSnapshot: db.prepare<[string, string]>(
			'DELETE FROM doc_snapshots WHERE account_id = ? AND doc_name = ?'
		),
		tombstone: db.prepare<[string, string, number]>(
			'INSERT OR IGNORE INTO doc_tombstones (account_id, doc_name, deleted_at) VALUES (?, ?, ?)'
		),
		isDeleted: db.prepare<[string, string], { one: number }>(
			'SELECT 1 AS one FROM doc_tombstones WHERE account_id = ? AND doc_name = ?'
		),
		markScrub: db.prepare<[string, string]>(
			'INSERT OR IGNORE INTO doc_scrubs (account_id, doc_name) VALUES (?, ?)'
		),
		clearScrub: db.prepare<[string, string]>(
			'DELETE FROM doc_scrubs WHERE account_id = ? AND doc_name = ?'
		)
	};

	// Log lengths and sizes counted once and then kept up to date, so an append needs no count
	// query. A cache only: cleared when it grows large, recounted on demand.
	const logStats = new Map<string, Appended>();
	interface BatchDoc {
		id: string;
		accountId: string;
		docName: string;
		deleted: boolean;
		stats: Appended;
	}
	const statsOf = (id: string, accountId: string, docName: string): Appended => {
		const cached = logStats.get(id);
		if (cached) return { ...cached };
		const log = q.logStats.get(accountId, docName);
		return {
			logLength: log?.n ?? 0,
			logBytes: log?.bytes ?? 0,
			snapshotBytes: q.snapshotBytes.get(accountId, docName)?.bytes ?? 0
		};
	};

	// Every transaction here reads before it writes, so each begins IMMEDIATE (below): taking the
	// write lock at BEGIN waits for the main thread's connection (run log, accounts) like any
	// lock. A deferred one that read first and then found the other connection had committed
	// meanwhile fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked"), the busy timeout
	// notwithstanding: updates went unstored and an answer was lost that way.

	// Group commit: one transaction (one fsync) for every append in the batch, across documents.
	// Each document is checked for a tombstone and moved forward in the change feed once; an
	// append to a deleted document fails on its own.
	const appendBatch = db.transaction((items: AppendItem[]) => {
		const docs = new Map<string, BatchDoc>();
		const results = items.map(({ accountId, docName, update, scrub }): AppendResult => {
			const id = `${accountId}/${docName}`;
			let doc = docs.get(id);
			if (!doc) {
				const deleted = q.isDeleted.get(accountId, docName) !== undefined;
				doc = { id, accountId, docName, deleted, stats: statsOf(id, accountId, docName) };
				docs.set(id, doc);
			}
			if (doc.deleted) return { error: 'document is deleted' };
			q.insertUpdate.run(accountId, docName, update);
			if (scrub) q.markScrub.run(accountId, docName);
			doc.stats.logLength++;
			doc.stats.logBytes += update.byteLength;
			return { ...doc.stats };
		});
		const seq = changeSeqFloor();
		for (const doc of docs.values()) {
			if (!doc.deleted) q.touch.run(seq, doc.accountId, doc.docName, 0);
		}
		return { results, docs: [...docs.values()] };
	});

	const compact = db.transaction((accountId: string, docName: string, scrub: boolean) => {
		const badUpdates: string[] = [];
		if (scrub) q.clearScrub.run(accountId, docName);
		const snapshot = q.snapshot.get(accountId, docName);
		const log = q.log.all(accountId, docName);
		const last = log.at(-1);
		if (!last) return { badUpdates, freedBytes: 0 };
		const parts = [...(snapshot ? [snapshot.data] : []), ...log.map((row) => row.data)];
		const folded = compactUpdates(parts, {
			onBadUpdate: (error) => badUpdates.push(error instanceof Error ? error.message : 'bad')
		});
		q.putSnapshot.run(accountId, docName, folded);
		q.deleteLogUpTo.run(accountId, docName, last.seq);
		logStats.delete(`${accountId}/${docName}`);
		const before = parts.reduce((n, part) => n + part.byteLength, 0);
		return { badUpdates, freedBytes: before - folded.byteLength };
	});

	// Every document of one delete request in one transaction, so the request costs one commit
	// and one checkpoint however many names it carries [HD12].
	const purge = db.transaction((docs: Array<{ accountId: string; docName: string }>) => {
		const now = Date.now();
		const seq = changeSeqFloor(now);
		for (const { accountId, docName } of docs) {
			logStats.delete(`${accountId}/${docName}`);
			q.deleteLog.run(accountId, docName);
			q.deleteSnapshot.run(accountId, docName);
			q.clearScrub.run(accountId, docName);
			q.tombstone.run(accountId, docName, now);
			q.touch.run(seq, accountId, docName, 1);
		}
	});

	/**
	 * Zeroed pages (secure_delete) are in the WAL now; copying them into the main file and
	 * truncating the WAL removes the last copies of the old bytes from both files. A reader on
	 * the other connection can hold it up for a moment: retry until it went through.
	 */
	const checkpoint = () => {
		for (let attempt = 0; attempt < 50; attempt++) {
			const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
			if (!row || row.busy === 0) return;
		}
		throw new Error('the WAL could not be checkpointed');
	};

	return {
		checkpoint,
		run(op: WriteOp): WriteResult {
			switch (op.op) {
				case 'append': {
					const { results, docs } = appendBatch.immediate(op.items);
					if (logStats.size > 10_000) logStats.clear();
					for (const doc of docs) if (!doc.deleted) logStats.set(doc.id, doc.stats);
					return { op: 'append', results };
				}
				case 'compact': {
					const { badUpdates, freedBytes } = compact.immediate(op.accountId, op.docName, op.scrub);
					if (op.scrub) checkpoint();
					return { op: 'compact', badUpdates, freedBytes };
				}
				case 'purge':
					if (op.docs.length === 0) return { op: 'purge' };
					purge.immediate(op.docs);
					checkpoint();
					return { op: 'purge' };
			}
		}
	};
}
