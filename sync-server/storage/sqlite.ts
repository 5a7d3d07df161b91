import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { compactUpdates } from '../../src/lib/core/compaction.js';
import { splitDocKey, type Changes, type DocKey, type DocStorage } from './types.js';
import type { DocName } from '../../src/lib/core/doc-names.js';
import { changeSeqFloor } from './change-seq.js';

export type { Database };

/**
 * Opens (or creates) `tether.db` in dataDir. Exported so the auth module can keep its tables in
 * the same file and handle: one database, one place that sets the durability pragmas.
 */
export function openDatabase(dataDir: string): Database.Database {
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const db = new Database(path.join(dataDir, 'tether.db'));
	db.pragma('journal_mode = WAL');
	// FULL, not NORMAL: in WAL mode NORMAL survives a killed process but can lose the last commits
	// on power loss. "Stored" is a promise to the client that it may drop its copy, so every commit
	// is fsynced before append() resolves.
	db.pragma('synchronous = FULL');
	// Deleted content is overwritten with zeros, so a purged document leaves no bytes behind.
	db.pragma('secure_delete = ON');
	db.pragma('foreign_keys = ON');
	return db;
}

const schema = `
CREATE TABLE IF NOT EXISTS doc_updates (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	doc_name TEXT NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_updates_by_doc ON doc_updates (account_id, doc_name, seq);
CREATE TABLE IF NOT EXISTS doc_snapshots (
	account_id TEXT NOT NULL,
	doc_name TEXT NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (account_id, doc_name)
);
CREATE TABLE IF NOT EXISTS doc_tombstones (
	account_id TEXT NOT NULL,
	doc_name TEXT NOT NULL,
	deleted_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, doc_name)
);
-- One row per document; REPLACE gives it a fresh, larger seq on every change (at least one past
-- the last, and never behind the clock: see change-seq.ts), so "changed since cursor" is one indexed range scan.
CREATE TABLE IF NOT EXISTS doc_changes (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	doc_name TEXT NOT NULL,
	deleted INTEGER NOT NULL DEFAULT 0,
	UNIQUE (account_id, doc_name)
);
CREATE INDEX IF NOT EXISTS doc_changes_by_account ON doc_changes (account_id, seq);
-- Documents whose log holds a deletion that has not been scrubbed out of the files yet (ids only).
CREATE TABLE IF NOT EXISTS doc_scrubs (
	account_id TEXT NOT NULL,
	doc_name TEXT NOT NULL,
	PRIMARY KEY (account_id, doc_name)
);
`;

interface PendingAppend {
	accountId: string;
	docName: string;
	update: Uint8Array;
	scrub: boolean;
	resolve: (result: { logLength: number }) => void;
	reject: (error: unknown) => void;
}

export interface SqliteStorageOptions {
	/** Called when a stored update cannot be applied while compacting (it is then dropped). */
	onBadUpdate?: (key: DocKey, error: unknown) => void;
	/** Called after each group commit with the number of appends it carried (tests, [ST8]). */
	onCommit?: (appends: number) => void;
}

/** DocStorage on better-sqlite3. Its calls are synchronous, so each method is atomic. */
export function createSqliteStorage(
	db: Database.Database,
	options: SqliteStorageOptions = {}
): DocStorage {
	db.exec(schema);
	const q = {
		snapshot: db.prepare<[string, string], { data: Buffer }>(
			'SELECT data FROM doc_snapshots WHERE account_id = ? AND doc_name = ?'
		),
		log: db.prepare<[string, string], { seq: number; data: Buffer }>(
			'SELECT seq, data FROM doc_updates WHERE account_id = ? AND doc_name = ? ORDER BY seq'
		),
		logLength: db.prepare<[string, string], { n: number }>(
			'SELECT count(*) AS n FROM doc_updates WHERE account_id = ? AND doc_name = ?'
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
		changes: db.prepare<[string, number], { doc_name: string; deleted: number }>(
			'SELECT doc_name, deleted FROM doc_changes WHERE account_id = ? AND seq > ? ORDER BY seq'
		),
		cursor: db.prepare<[], { seq: number }>(
			"SELECT seq FROM sqlite_sequence WHERE name = 'doc_changes'"
		),
		markScrub: db.prepare<[string, string]>(
			'INSERT OR IGNORE INTO doc_scrubs (account_id, doc_name) VALUES (?, ?)'
		),
		clearScrub: db.prepare<[string, string]>(
			'DELETE FROM doc_scrubs WHERE account_id = ? AND doc_name = ?'
		),
		scrubs: db.prepare<[], { account_id: string; doc_name: string }>(
			'SELECT account_id, doc_name FROM doc_scrubs'
		)
	};

	const loadRows = (accountId: string, docName: string) => {
		const snapshot = q.snapshot.get(accountId, docName);
		const log = q.log.all(accountId, docName);
		return { snapshot, log };
	};

	// Group commit: appends requested in the same turn of the event loop (across documents and
	// connections) share one transaction, so one fsync covers them all instead of one each. Each
	// still resolves only after that commit; a deleted document's append fails on its own. Each
	// document in a batch is checked for a tombstone and moved forward in the change feed once.
	let batch: PendingAppend[] = [];
	// Log lengths counted once and then kept up to date, so an append needs no count query. A
	// cache only: cleared when it grows large, recounted on demand.
	const logLengths = new Map<string, number>();
	interface BatchDoc {
		id: string;
		accountId: string;
		docName: string;
		deleted: boolean;
		length: number;
	}
	const appendBatch = db.transaction((items: PendingAppend[]) => {
		const docs = new Map<string, BatchDoc>();
		const results = items.map(({ accountId, docName, update, scrub }) => {
			const id = `${accountId}/${docName}`;
			let doc = docs.get(id);
			if (!doc) {
				const deleted = q.isDeleted.get(accountId, docName) !== undefined;
				const length = logLengths.get(id) ?? q.logLength.get(accountId, docName)?.n ?? 0;
				doc = { id, accountId, docName, deleted, length };
				docs.set(id, doc);
			}
			if (doc.deleted) return new Error('document is deleted');
			q.insertUpdate.run(accountId, docName, update);
			if (scrub) q.markScrub.run(accountId, docName);
			return ++doc.length;
		});
		const seq = changeSeqFloor();
		for (const doc of docs.values()) {
			if (!doc.deleted) q.touch.run(seq, doc.accountId, doc.docName, 0);
		}
		return { results, docs: [...docs.values()] };
	});
	const flush = () => {
		const items = batch;
		batch = [];
		let committed: ReturnType<typeof appendBatch>;
		try {
			committed = appendBatch(items);
		} catch (error) {
			for (const item of items) item.reject(error);
			return;
		}
		options.onCommit?.(items.length);
		if (logLengths.size > 10_000) logLengths.clear();
		for (const doc of committed.docs) if (!doc.deleted) logLengths.set(doc.id, doc.length);
		items.forEach((item, i) => {
			const result = committed.results[i]!;
			if (result instanceof Error) item.reject(result);
			else item.resolve({ logLength: result });
		});
	};

	const compact = db.transaction((key: DocKey, scrub: boolean) => {
		const { accountId, docName } = splitDocKey(key);
		if (scrub) q.clearScrub.run(accountId, docName);
		const { snapshot, log } = loadRows(accountId, docName);
		const last = log.at(-1);
		if (!last) return;
		const parts = [...(snapshot ? [snapshot.data] : []), ...log.map((row) => row.data)];
		const folded = compactUpdates(parts, {
			onBadUpdate: (error) => options.onBadUpdate?.(key, error)
		});
		q.putSnapshot.run(accountId, docName, folded);
		q.deleteLogUpTo.run(accountId, docName, last.seq);
		logLengths.delete(key);
	});

	// Zeroed pages (secure_delete) are in the WAL now; copying them into the main file and
	// truncating the WAL removes the last copies of the old bytes from both files.
	const checkpoint = () => db.pragma('wal_checkpoint(TRUNCATE)');

	const purge = db.transaction((accountId: string, docName: string) => {
		logLengths.delete(`${accountId}/${docName}`);
		q.deleteLog.run(accountId, docName);
		q.deleteSnapshot.run(accountId, docName);
		q.clearScrub.run(accountId, docName);
		q.tombstone.run(accountId, docName, Date.now());
		q.touch.run(changeSeqFloor(), accountId, docName, 1);
	});

	// A crash after a scrub's commit but before its checkpoint leaves old pages in the main file:
	// checkpointing once at start finishes it before anything is served.
	checkpoint();

	const changesSince = db.transaction((accountId: string, since: number): Changes => {
		const cursor = q.cursor.get()?.seq ?? 0;
		// A cursor from the future means this database was restored from an older backup (R4):
		// answer with everything so the client re-sends what the server lost.
		const from = since > cursor ? 0 : since;
		const changed: DocName[] = [];
		const deleted: DocName[] = [];
		for (const row of q.changes.all(accountId, from)) {
			(row.deleted ? deleted : changed).push(row.doc_name as DocName);
		}
		return { cursor, changed, deleted };
	});

	return {
		async load(key) {
			const { accountId, docName } = splitDocKey(key);
			const { snapshot, log } = loadRows(accountId, docName);
			const parts = log.map((row) => new Uint8Array(row.data));
			return snapshot ? [new Uint8Array(snapshot.data), ...parts] : parts;
		},
		append(key, update, appendOptions) {
			const { accountId, docName } = splitDocKey(key);
			const scrub = appendOptions?.scrub ?? false;
			return new Promise((resolve, reject) => {
				if (batch.length === 0) setImmediate(flush);
				batch.push({ accountId, docName, update, scrub, resolve, reject });
			});
		},
		async compact(key, compactOptions) {
			const scrub = compactOptions?.scrub ?? false;
			compact(key, scrub);
			if (scrub) checkpoint();
		},
		async pendingScrubs() {
			return q.scrubs.all().map((row) => `${row.account_id}/${row.doc_name}` as DocKey);
		},
		async purge(key) {
			const { accountId, docName } = splitDocKey(key);
			purge(accountId, docName);
			checkpoint();
		},
		async isDeleted(key) {
			const { accountId, docName } = splitDocKey(key);
			return q.isDeleted.get(accountId, docName) !== undefined;
		},
		async changesSince(accountId, since) {
			return changesSince(accountId, since);
		},
		close() {
			if (batch.length > 0) flush();
			db.close();
		}
	};
}
