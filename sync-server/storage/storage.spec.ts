import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from './memory.js';
import { createSqliteStorage, openDatabase } from './sqlite.js';
import { docKey, type DocStorage } from './types.js';
import { changeSeqFloor } from './change-seq.js';
import { createPostgresStorage, openPostgres, type PostgresStorageOptions } from './postgres.js';
import { startPostgres } from '../../tests/server/services.js';

// A real PostgreSQL from the Debian package; the suite fails (never skips) when it cannot start.
let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
beforeAll(async () => {
	postgres = await startPostgres();
}, 60_000);
afterAll(() => postgres?.stop());

/** A PostgreSQL store on an emptied database: every test starts from nothing. */
async function pgStore(options: PostgresStorageOptions = {}) {
	if (!postgres) throw new Error('PostgreSQL did not start');
	const store = await createPostgresStorage(openPostgres(postgres.url, 4), options);
	await store.pool.query(
		'TRUNCATE doc_updates, doc_snapshots, doc_tombstones, doc_changes, doc_scrubs, auth_accounts'
	);
	return store;
}

const tempDirs: string[] = [];
afterEach(() => {
	for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function sqliteDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-storage-'));
	tempDirs.push(dir);
	return dir;
}

const stores: Array<[string, () => DocStorage | Promise<DocStorage>]> = [
	['memory', () => createMemoryStorage()],
	['sqlite', () => createSqliteStorage(openDatabase(sqliteDir()))],
	['postgres', () => pgStore()]
];

function textUpdate(doc: Y.Doc, edit: (text: Y.Text) => void): Uint8Array {
	let captured: Uint8Array | undefined;
	const capture = (update: Uint8Array) => (captured = update);
	doc.on('update', capture);
	edit(doc.getText('t'));
	doc.off('update', capture);
	if (!captured) throw new Error('the edit produced no update');
	return captured;
}

function replay(updates: Uint8Array[]): Y.Doc {
	const doc = new Y.Doc();
	for (const update of updates) Y.applyUpdate(doc, update);
	return doc;
}

const a = docKey('acct-a', 'session.one');
const b = docKey('acct-b', 'session.one');

describe.each(stores)('[ST] the %s storage contract', (_name, make) => {
	it('[ST1] loads exactly what was appended, in order', async () => {
		const store = await make();
		const doc = new Y.Doc();
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'hello'))
		);
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(5, ' world'))
		);
		expect(
			replay(await store.load(a))
				.getText('t')
				.toString()
		).toBe('hello world');
		expect(await store.load(b)).toEqual([]);
		await store.close();
	});

	it('[ST2] compaction keeps the content and drops deleted history', async () => {
		const store = await make();
		const doc = new Y.Doc();
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'x'.repeat(10_000)))
		);
		await store.append(
			a,
			textUpdate(doc, (t) => t.delete(0, 10_000))
		);
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'kept'))
		);
		const before = await store.accountBytes('acct-a');
		const freed = await store.compact(a);
		// What compaction says it freed is what the account's total shrank by ([HD4]).
		expect(freed).toBeGreaterThan(10_000);
		expect(await store.accountBytes('acct-a')).toBe(before - freed);
		const loaded = await store.load(a);
		expect(loaded).toHaveLength(1);
		expect(loaded[0]!.byteLength).toBeLessThan(200);
		expect(replay(loaded).getText('t').toString()).toBe('kept');
		const { logLength } = await store.append(
			a,
			textUpdate(doc, (t) => t.insert(4, '!'))
		);
		expect(logLength).toBe(1);
		expect(
			replay(await store.load(a))
				.getText('t')
				.toString()
		).toBe('kept!');
		await store.close();
	});

	it('[ST3] purge removes the content, leaves a tombstone and refuses later appends', async () => {
		const store = await make();
		const doc = new Y.Doc();
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'secret'))
		);
		await store.purge(a);
		await store.purge(a);
		expect(await store.isDeleted(a)).toBe(true);
		expect(await store.isDeleted(b)).toBe(false);
		expect(await store.load(a)).toEqual([]);
		await expect(
			store.append(
				a,
				textUpdate(doc, (t) => t.insert(0, 'again'))
			)
		).rejects.toThrow();
		await store.close();
	});

	it('[ST4] the change feed lists only this account, and only what changed after the cursor', async () => {
		const store = await make();
		const doc = new Y.Doc();
		const start = await store.changesSince('acct-a', 0);
		expect(start).toEqual({ cursor: start.cursor, changed: [], deleted: [] });
		await store.append(
			docKey('acct-a', 'account'),
			textUpdate(doc, (t) => t.insert(0, '1'))
		);
		await store.append(
			docKey('acct-b', 'account'),
			textUpdate(doc, (t) => t.insert(0, '2'))
		);
		await store.append(
			docKey('acct-a', 'project.p'),
			textUpdate(doc, (t) => t.insert(0, '3'))
		);
		const first = await store.changesSince('acct-a', start.cursor);
		expect(first.changed.sort()).toEqual(['account', 'project.p']);
		expect(first.deleted).toEqual([]);
		expect(first.cursor).toBeGreaterThan(start.cursor);

		await store.purge(docKey('acct-a', 'project.p'));
		await store.append(
			docKey('acct-a', 'account'),
			textUpdate(doc, (t) => t.insert(0, '4'))
		);
		const second = await store.changesSince('acct-a', first.cursor);
		expect(second.changed).toEqual(['account']);
		expect(second.deleted).toEqual(['project.p']);
		expect(await store.changesSince('acct-a', second.cursor)).toEqual({
			cursor: second.cursor,
			changed: [],
			deleted: []
		});
		await store.close();
	});

	it("[HD11] another account's writes and deletions do not move my cursor; my own do", async () => {
		const store = await make();
		const doc = new Y.Doc();
		expect((await store.changesSince('acct-a', 0)).cursor).toBe(0);
		await store.append(
			docKey('acct-a', 'account'),
			textUpdate(doc, (t) => t.insert(0, 'mine'))
		);
		const mine = await store.changesSince('acct-a', 0);
		expect(mine.cursor).toBeGreaterThan(0);
		await store.append(
			docKey('acct-b', 'account'),
			textUpdate(doc, (t) => t.insert(0, 'theirs'))
		);
		await store.append(
			docKey('acct-b', 'project.p'),
			textUpdate(doc, (t) => t.insert(0, 'theirs too'))
		);
		await store.purge(docKey('acct-b', 'project.p'));
		expect(await store.changesSince('acct-a', mine.cursor)).toEqual({
			cursor: mine.cursor,
			changed: [],
			deleted: []
		});
		expect((await store.changesSince('acct-a', 0)).cursor).toBe(mine.cursor);
		await store.append(
			docKey('acct-a', 'project.q'),
			textUpdate(doc, (t) => t.insert(0, 'mine again'))
		);
		const after = await store.changesSince('acct-a', mine.cursor);
		expect(after.changed).toEqual(['project.q']);
		expect(after.cursor).toBeGreaterThan(mine.cursor);
		await store.close();
	});

	it('[HD12] purgeMany removes every listed document at once and leaves the others', async () => {
		const store = await make();
		const doomed = ['session.x', 'session.y', 'project.z'].map((n) => docKey('acct-a', n));
		const kept = [docKey('acct-a', 'session.kept'), docKey('acct-b', 'session.x')];
		for (const key of [...doomed, ...kept]) {
			await store.append(
				key,
				Y.encodeStateAsUpdate(replay([textUpdate(new Y.Doc(), (t) => t.insert(0, key))]))
			);
		}
		const { cursor } = await store.changesSince('acct-a', 0);
		await store.purgeMany([...doomed, doomed[0]!]);
		for (const key of doomed) {
			expect(await store.load(key)).toEqual([]);
			expect(await store.isDeleted(key)).toBe(true);
		}
		for (const key of kept) expect(await store.load(key)).toHaveLength(1);
		const changes = await store.changesSince('acct-a', cursor);
		expect(changes.deleted.sort()).toEqual(['project.z', 'session.x', 'session.y']);
		await expect(store.append(doomed[1]!, Y.encodeStateAsUpdate(new Y.Doc()))).rejects.toThrow();
		await store.purgeMany([]);
		await store.close();
	});

	it('[ST8] concurrent appends to many documents all land; one to a deleted document fails alone', async () => {
		const store = await make();
		const doomed = docKey('acct-a', 'session.doomed');
		await store.purge(doomed);
		const keys = Array.from({ length: 20 }, (_, i) => docKey('acct-a', `session.s${i}`));
		const results = await Promise.allSettled([
			...keys.map((key, i) =>
				store.append(
					key,
					textUpdate(new Y.Doc(), (t) => t.insert(0, `${i}`))
				)
			),
			store.append(
				doomed,
				textUpdate(new Y.Doc(), (t) => t.insert(0, 'no'))
			)
		]);
		expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
		expect(results[20]!.status).toBe('rejected');
		for (const [i, key] of keys.entries()) {
			expect(
				replay(await store.load(key))
					.getText('t')
					.toString()
			).toBe(`${i}`);
		}
		await store.close();
	});

	it('[ST9] a scrub mark is kept until the scrubbing compaction, which leaves only what remains', async () => {
		const store = await make();
		const doc = new Y.Doc();
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'SCRUB-MARKER'))
		);
		await store.append(
			a,
			textUpdate(doc, (t) => t.delete(0, 12)),
			{ scrub: true }
		);
		expect(await store.pendingScrubs()).toEqual([a]);
		await store.compact(a, { scrub: true });
		expect(await store.pendingScrubs()).toEqual([]);
		const loaded = await store.load(a);
		expect(loaded).toHaveLength(1);
		expect(Buffer.from(loaded[0]!).includes('SCRUB-MARKER')).toBe(false);
		await store.close();
	});

	it('[ST5] a cursor from the future (restored backup) answers with everything', async () => {
		const store = await make();
		await store.append(docKey('acct-a', 'account'), Y.encodeStateAsUpdate(new Y.Doc()));
		const changes = await store.changesSince('acct-a', changeSeqFloor(Date.now() + 3_600_000));
		expect(changes.changed).toEqual(['account']);
		await store.close();
	});

	it('[ST5] sequence numbers never fall behind the clock, so a restored backup resumes above old cursors', async () => {
		const store = await make();
		const before = changeSeqFloor();
		await store.append(docKey('acct-a', 'account'), Y.encodeStateAsUpdate(new Y.Doc()));
		const { cursor } = await store.changesSince('acct-a', 0);
		expect(cursor).toBeGreaterThanOrEqual(before);
		expect(Number.isSafeInteger(cursor)).toBe(true);
		await store.close();
	});
});

type WithCommits = (onCommit: (appends: number) => void) => DocStorage | Promise<DocStorage>;
const committing: Array<[string, WithCommits]> = [
	['sqlite', (onCommit) => createSqliteStorage(openDatabase(sqliteDir()), { onCommit })],
	['postgres', (onCommit) => pgStore({ onCommit })]
];

describe.each(committing)('[ST] the %s group commit', (_name, make) => {
	it('[ST8] a burst of appends over many documents in one turn is one commit; the next turn another', async () => {
		const commits: number[] = [];
		const store = await make((appends) => commits.push(appends));
		const burst = Array.from({ length: 30 }, (_, i) =>
			store.append(
				docKey('acct-a', `session.b${i % 10}`),
				textUpdate(new Y.Doc(), (t) => t.insert(0, `${i}`))
			)
		);
		const results = await Promise.all(burst);
		expect(commits).toEqual([30]);
		// Each still learns its own document's log length.
		expect(results.map((r) => r.logLength).slice(0, 10)).toEqual(Array(10).fill(1));
		expect(results.map((r) => r.logLength).slice(20)).toEqual(Array(10).fill(3));
		await store.append(
			a,
			textUpdate(new Y.Doc(), (t) => t.insert(0, 'later'))
		);
		expect(commits).toEqual([30, 1]);
		await store.close();
	});
});

describe('[ST] the sqlite storage file', () => {
	it('[ST6] a purged document leaves no bytes in the .db or -wal file', async () => {
		const dir = sqliteDir();
		const db = openDatabase(dir);
		const store = createSqliteStorage(db);
		const doc = new Y.Doc();
		const marker = 'PURGE-MARKER-' + 'q'.repeat(5000);
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, marker))
		);
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'more ' + marker))
		);
		await store.compact(a);
		await store.append(
			b,
			textUpdate(new Y.Doc(), (t) => t.insert(0, 'other account'))
		);
		await store.purge(a);
		const files = fs.readdirSync(dir).filter((f) => f.startsWith('tether.db'));
		expect(files).toContain('tether.db');
		for (const file of files) {
			expect(fs.readFileSync(path.join(dir, file)).includes('PURGE-MARKER')).toBe(false);
		}
		await store.close();
	});

	it('[ST7] the database is opened for durable commits: WAL with synchronous = FULL, secure_delete on', async () => {
		const db = openDatabase(sqliteDir());
		expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
		// 2 is FULL: each commit is fsynced before append() resolves (OFF is 0, NORMAL 1).
		expect(db.pragma('synchronous', { simple: true })).toBe(2);
		expect(db.pragma('secure_delete', { simple: true })).toBe(1);
		await db.close();
	});

	it('[ST7] stored updates survive closing and reopening the file', async () => {
		const dir = sqliteDir();
		const first = createSqliteStorage(openDatabase(dir));
		await first.append(
			a,
			textUpdate(new Y.Doc(), (t) => t.insert(0, 'durable'))
		);
		await first.close();
		const second = createSqliteStorage(openDatabase(dir));
		expect(
			replay(await second.load(a))
				.getText('t')
				.toString()
		).toBe('durable');
		await second.close();
	});

	it('[ST12] an append waits for a write on the main connection instead of failing as locked', async () => {
		const dir = sqliteDir();
		const db = openDatabase(dir);
		const store = createSqliteStorage(db);
		db.exec('CREATE TABLE other_writes (x)');
		// The writer thread is up and has written once.
		await store.append(
			b,
			textUpdate(new Y.Doc(), (t) => t.insert(0, 'first'))
		);
		// The main thread's connection (run log, accounts) is in the middle of a write when the
		// writer thread's batch begins; it commits a moment later.
		db.exec('BEGIN IMMEDIATE');
		db.prepare('INSERT INTO other_writes VALUES (1)').run();
		const appended = store.append(
			a,
			textUpdate(new Y.Doc(), (t) => t.insert(0, 'after the other write'))
		);
		await new Promise((resolve) => setTimeout(resolve, 200));
		db.exec('COMMIT');
		await expect(appended).resolves.toMatchObject({ logLength: 1 });
		expect(
			replay(await store.load(a))
				.getText('t')
				.toString()
		).toBe('after the other write');
		await store.close();
	});

	it('[ST9] a scrub marks the document in the same commit and clears the mark when it compacts', async () => {
		const dir = sqliteDir();
		const store = createSqliteStorage(openDatabase(dir));
		const doc = new Y.Doc();
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'SCRUB-MARKER-' + 'w'.repeat(3000)))
		);
		await store.append(
			a,
			textUpdate(doc, (t) => t.delete(0, 3013)),
			{ scrub: true }
		);
		await store.close();
		// A crash before the scrub: the next start still knows it is owed.
		const reopened = createSqliteStorage(openDatabase(dir));
		expect(await reopened.pendingScrubs()).toEqual([a]);
		await reopened.compact(a, { scrub: true });
		expect(await reopened.pendingScrubs()).toEqual([]);
		for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('tether.db'))) {
			expect(fs.readFileSync(path.join(dir, file)).includes('SCRUB-MARKER')).toBe(false);
		}
		await reopened.close();
	});
});

describe('[ST] the postgres storage', () => {
	it('[ST10] a purged document is unreadable through SQL, dead tuples included, once purge resolves', async () => {
		const store = await pgStore();
		// Random hex does not compress, so the marker is stored as is (inline, not toasted).
		const marker = 'PURGE-MARKER-' + randomBytes(200).toString('hex');
		const doc = new Y.Doc();
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, marker))
		);
		await store.compact(a);
		await store.append(
			a,
			textUpdate(doc, (t) => t.insert(0, 'more ' + marker))
		);
		await store.append(
			b,
			textUpdate(new Y.Doc(), (t) => t.insert(0, 'other account'))
		);
		await store.purge(a);
		// Live rows: no table holds the marker.
		for (const table of ['doc_updates', 'doc_snapshots']) {
			const { rows } = await store.pool.query(
				`SELECT 1 FROM ${table} WHERE position($1::bytea IN data) > 0`,
				[Buffer.from('PURGE-MARKER')]
			);
			expect(rows, table).toEqual([]);
		}
		// Dead tuples: the page items a superuser could read with pageinspect hold no copy.
		const admin = openPostgres(postgres!.url.replace('tether@', 'postgres@'), 1);
		try {
			await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
			for (const table of ['doc_updates', 'doc_snapshots']) {
				const { rows } = await admin.query<{ n: string }>(
					`SELECT count(*) AS n FROM generate_series(0, pg_relation_size($1::regclass) / 8192 - 1) AS page,
					 LATERAL heap_page_items(get_raw_page($1::text, page::int)) AS item
					 WHERE position($2::bytea IN item.t_data) > 0`,
					[table, Buffer.from('PURGE-MARKER')]
				);
				expect(Number(rows[0]!.n), table).toBe(0);
			}
		} finally {
			await admin.end();
		}
		expect(await store.load(b)).toHaveLength(1);
		await store.close();
	});

	it('[ST11] instances starting together apply the schema once', async () => {
		const [one, two] = await Promise.all([pgStore(), pgStore()]);
		const { rows } = await one.pool.query('SELECT version FROM tether_migrations ORDER BY version');
		expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
		await Promise.all([one.close(), two.close()]);
	});
});
