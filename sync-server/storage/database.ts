import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type { Database };

/**
 * Opens (or creates) `tether.db` in dataDir. Exported so the auth module can keep its tables in
 * the same file and handle: one database, one place that sets the durability pragmas.
 */
export function openDatabase(dataDir: string): Database.Database {
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const file = path.join(dataDir, 'tether.db');
	ownerOnly(file);
	return openDatabaseFile(file);
}

/**
 * The database and its `-wal` and `-shm` are readable by their owner only [HD9]. SQLite creates
 * the WAL and shared-memory files with the mode of the database file, so creating that one 0600
 * first is enough; files an older version left 0644 are narrowed too.
 */
function ownerOnly(file: string): void {
	fs.closeSync(fs.openSync(file, 'a', 0o600));
	for (const name of [file, `${file}-wal`, `${file}-shm`]) {
		try {
			fs.chmodSync(name, 0o600);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
	}
}

/** Opens one connection to the file with the durability pragmas; the writer thread uses it too. */
export function openDatabaseFile(file: string): Database.Database {
	const db = new Database(file);
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

/** Creates the document tables if they are missing. */
export function createSchema(db: Database.Database): void {
	db.exec(schema);
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
