import pg from 'pg';
import { compactUpdates } from '../../src/lib/core/compaction.js';
import type { DocName } from '../../src/lib/core/doc-names.js';
import { changeSeqFloor } from './change-seq.js';
import { feedLock, migrate } from './postgres-schema.js';
import { splitDocKey, type Appended, type DocKey, type DocStorage } from './types.js';
import { inTransaction } from './pg-transaction.js';

export interface PostgresStorageOptions {
	/** Called when a stored update cannot be applied while compacting (it is then dropped). */
	onBadUpdate?: (key: DocKey, error: unknown) => void;
	/** Called after each group commit with the number of appends it carried (tests, [ST8]). */
	onCommit?: (appends: number) => void;
}

export interface PostgresStorage extends DocStorage {
	readonly pool: pg.Pool;
}

/** A pool for DATABASE_URL; bigint columns come back as numbers (seqs stay below 2^53). */
export function openPostgres(connectionString: string, max = 10): pg.Pool {
	const pool = new pg.Pool({ connectionString, max });
	// An idle client that loses its connection must not crash the process: the pool replaces it.
	pool.on('error', () => {});
	return pool;
}

interface AppendWaiter {
	key: DocKey;
	update: Uint8Array;
	scrub: boolean;
	resolve: (r: Appended) => void;
	reject: (e: unknown) => void;
}

type Task =
	| { kind: 'append'; items: AppendWaiter[] }
	| { kind: 'other'; run: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void };

/**
 * DocStorage on PostgreSQL, shared by every instance. The same contract as SQLite:
 *
 * - Group commit: appends requested while a commit is in flight gather into the next one (one
 *   transaction, one WAL flush); every write of this instance runs in request order.
 * - The change feed's seqs are handed out under one advisory lock held until commit, so they
 *   commit in order across instances and a reader's cursor never jumps over a commit in flight.
 * - Compaction and purge of one document take that document's advisory lock, so two instances
 *   never fold or purge the same document at once.
 * - Purge deletes the rows, then VACUUMs the tables: the bytes are gone from every SQL view at
 *   once, and their dead tuples are pruned as soon as no older transaction can still see them.
 *   PostgreSQL does not zero freed space in its files or WAL segments; see docs/DEPLOY.md.
 */
export async function createPostgresStorage(
	pool: pg.Pool,
	options: PostgresStorageOptions = {}
): Promise<PostgresStorage> {
	await migrate(pool);
	const queue: Task[] = [];
	let busy = false;
	let closed = false;

	const pump = () => {
		if (busy) return;
		const task = queue.shift();
		if (!task) return;
		busy = true;
		const done = () => {
			busy = false;
			// Whatever queued up meanwhile goes next, appends as one batch.
			setImmediate(pump);
		};
		if (task.kind === 'append') {
			appendBatch(task.items).then(
				(lengths) => {
					options.onCommit?.(task.items.length);
					task.items.forEach((item, i) => {
						const appended = lengths[i];
						if (appended) item.resolve(appended);
						else item.reject(new Error('document is deleted'));
					});
					done();
				},
				(error: unknown) => {
					for (const item of task.items) item.reject(error);
					done();
				}
			);
		} else {
			task.run().then(
				() => {
					task.resolve();
					done();
				},
				(error: unknown) => {
					task.reject(error);
					done();
				}
			);
		}
	};
	// Sent after the current turn, so appends requested in the same turn share one commit.
	const schedule = () => setImmediate(pump);

	const enqueue = (run: () => Promise<void>) =>
		new Promise<void>((resolve, reject) => {
			if (closed) return reject(new Error('the storage is closed'));
			queue.push({ kind: 'other', run, resolve, reject });
			schedule();
		});

	const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => inTransaction(pool, work);

	/** Moves documents forward in the change feed; the caller holds the feed lock. */
	async function touch(client: pg.PoolClient, keys: DocKey[], deleted: boolean): Promise<void> {
		const parts = keys.map(splitDocKey);
		await client.query(
			`INSERT INTO doc_changes (account_id, doc_name, seq, deleted)
			 SELECT a, d, greatest((SELECT coalesce(max(seq), 0) FROM doc_changes) + 1, $3::bigint) + o - 1, $4
			 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(a, d, o)
			 ON CONFLICT (account_id, doc_name) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted`,
			[parts.map((p) => p.accountId), parts.map((p) => p.docName), changeSeqFloor(), deleted]
		);
	}

	/** One transaction for the batch; per item the log's size after it, or null for a deleted document. */
	async function appendBatch(items: AppendWaiter[]): Promise<Array<Appended | null>> {
		return transaction(async (client) => {
			await client.query('SELECT pg_advisory_xact_lock($1)', [feedLock]);
			const keys = [...new Set(items.map((i) => i.key))];
			const parts = keys.map(splitDocKey);
			const accounts = parts.map((p) => p.accountId);
			const names = parts.map((p) => p.docName);
			const tombstoned = await client.query<{ account_id: string; doc_name: string }>(
				`SELECT account_id, doc_name FROM doc_tombstones
				 WHERE (account_id, doc_name) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
				[accounts, names]
			);
			const deleted = new Set(tombstoned.rows.map((r) => `${r.account_id}/${r.doc_name}`));
			const live = items.filter((i) => !deleted.has(i.key));
			if (live.length === 0) return items.map(() => null);
			const liveParts = live.map((i) => splitDocKey(i.key));
			await client.query(
				`INSERT INTO doc_updates (account_id, doc_name, data)
				 SELECT a, d, b FROM unnest($1::text[], $2::text[], $3::bytea[]) WITH ORDINALITY AS t(a, d, b, o)
				 ORDER BY o`,
				[
					liveParts.map((p) => p.accountId),
					liveParts.map((p) => p.docName),
					live.map((i) => Buffer.from(i.update.buffer, i.update.byteOffset, i.update.byteLength))
				]
			);
			const scrubs = live.filter((i) => i.scrub).map((i) => splitDocKey(i.key));
			if (scrubs.length > 0) {
				await client.query(
					`INSERT INTO doc_scrubs (account_id, doc_name)
					 SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
					[scrubs.map((p) => p.accountId), scrubs.map((p) => p.docName)]
				);
			}
			const liveKeys = keys.filter((k) => !deleted.has(k));
			await touch(client, liveKeys, false);
			const counted = await client.query<{
				account_id: string;
				doc_name: string;
				n: string;
				bytes: string;
				snapshot: string;
			}>(
				`SELECT u.account_id, u.doc_name, count(*) AS n, sum(octet_length(u.data)) AS bytes,
				   coalesce((SELECT octet_length(s.data) FROM doc_snapshots s
				     WHERE s.account_id = u.account_id AND s.doc_name = u.doc_name), 0) AS snapshot
				 FROM doc_updates u
				 WHERE (u.account_id, u.doc_name) IN (SELECT * FROM unnest($1::text[], $2::text[]))
				 GROUP BY u.account_id, u.doc_name`,
				[liveKeys.map((k) => splitDocKey(k).accountId), liveKeys.map((k) => splitDocKey(k).docName)]
			);
			const totals = new Map(
				counted.rows.map((r) => [
					`${r.account_id}/${r.doc_name}`,
					{ logLength: Number(r.n), logBytes: Number(r.bytes), snapshotBytes: Number(r.snapshot) }
				])
			);
			// Each append learns the log as it stood after it: the totals minus the batch's later appends.
			const later = new Map<string, { count: number; bytes: number }>();
			const result: Array<Appended | null> = [];
			for (let i = items.length - 1; i >= 0; i--) {
				const item = items[i]!;
				if (deleted.has(item.key)) {
					result[i] = null;
					continue;
				}
				const after = later.get(item.key) ?? { count: 0, bytes: 0 };
				const total = totals.get(item.key) ?? { logLength: 0, logBytes: 0, snapshotBytes: 0 };
				result[i] = {
					logLength: total.logLength - after.count,
					logBytes: total.logBytes - after.bytes,
					snapshotBytes: total.snapshotBytes
				};
				later.set(item.key, {
					count: after.count + 1,
					bytes: after.bytes + item.update.byteLength
				});
			}
			return result;
		});
	}

	const docLock = (client: pg.PoolClient, key: DocKey) =>
		client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);

	/** Prunes dead tuples of the content tables, so purged bytes leave the table pages. */
	const vacuum = () => pool.query('VACUUM doc_updates, doc_snapshots').then(() => undefined);

	// One transaction and one VACUUM for all the documents [HD12].
	function purgeMany(keys: readonly DocKey[]): Promise<void> {
		const unique = [...new Set(keys)];
		if (unique.length === 0) return Promise.resolve();
		const parts = unique.map(splitDocKey);
		const accounts = parts.map((p) => p.accountId);
		const names = parts.map((p) => p.docName);
		return enqueue(async () => {
			await transaction(async (client) => {
				// Document locks in key order, so two instances purging overlapping sets cannot deadlock.
				await client.query(
					`SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
					 FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS sorted`,
					[unique]
				);
				await client.query('SELECT pg_advisory_xact_lock($1)', [feedLock]);
				for (const table of ['doc_updates', 'doc_snapshots', 'doc_scrubs']) {
					await client.query(
						`DELETE FROM ${table}
						 WHERE (account_id, doc_name) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
						[accounts, names]
					);
				}
				await client.query(
					`INSERT INTO doc_tombstones (account_id, doc_name, deleted_at)
					 SELECT a, d, $3 FROM unnest($1::text[], $2::text[]) AS t(a, d)
					 ON CONFLICT DO NOTHING`,
					[accounts, names, Date.now()]
				);
				await touch(client, unique, true);
			});
			await vacuum();
		});
	}

	return {
		pool,
		async accountBytes(accountId) {
			const { rows } = await pool.query<{ bytes: string }>(
				`SELECT (SELECT coalesce(sum(octet_length(data)), 0) FROM doc_updates WHERE account_id = $1)
				  + (SELECT coalesce(sum(octet_length(data)), 0) FROM doc_snapshots WHERE account_id = $1) AS bytes`,
				[accountId]
			);
			return Number(rows[0]?.bytes ?? 0);
		},
		async load(key) {
			const { accountId, docName } = splitDocKey(key);
			// One statement, one snapshot: the snapshot and the log come from the same commit.
			const { rows } = await pool.query<{ data: Buffer }>(
				`SELECT data FROM (
					SELECT 0 AS part, 0::bigint AS seq, data FROM doc_snapshots WHERE account_id = $1 AND doc_name = $2
					UNION ALL
					SELECT 1, seq, data FROM doc_updates WHERE account_id = $1 AND doc_name = $2
				) AS parts ORDER BY part, seq`,
				[accountId, docName]
			);
			return rows.map((row) => new Uint8Array(row.data));
		},
		append(key, update, appendOptions) {
			return new Promise((resolve, reject) => {
				if (closed) return reject(new Error('the storage is closed'));
				const item = { key, update, scrub: appendOptions?.scrub ?? false, resolve, reject };
				const tail = queue.at(-1);
				if (tail?.kind === 'append') tail.items.push(item);
				else queue.push({ kind: 'append', items: [item] });
				schedule();
			});
		},
		compact(key, compactOptions) {
			const { accountId, docName } = splitDocKey(key);
			const scrub = compactOptions?.scrub ?? false;
			let freedBytes = 0;
			const compacted = enqueue(async () => {
				const freed = await transaction(async (client) => {
					await docLock(client, key);
					if (scrub) {
						await client.query('DELETE FROM doc_scrubs WHERE account_id = $1 AND doc_name = $2', [
							accountId,
							docName
						]);
					}
					const snapshot = await client.query<{ data: Buffer }>(
						'SELECT data FROM doc_snapshots WHERE account_id = $1 AND doc_name = $2',
						[accountId, docName]
					);
					const log = await client.query<{ seq: string; data: Buffer }>(
						'SELECT seq, data FROM doc_updates WHERE account_id = $1 AND doc_name = $2 ORDER BY seq',
						[accountId, docName]
					);
					const last = log.rows.at(-1);
					if (!last) return null;
					const parts = [...snapshot.rows, ...log.rows].map((row) => new Uint8Array(row.data));
					const folded = compactUpdates(parts, {
						onBadUpdate: (error) => options.onBadUpdate?.(key, error)
					});
					await client.query(
						`INSERT INTO doc_snapshots (account_id, doc_name, data) VALUES ($1, $2, $3)
						 ON CONFLICT (account_id, doc_name) DO UPDATE SET data = excluded.data`,
						[accountId, docName, Buffer.from(folded)]
					);
					await client.query(
						'DELETE FROM doc_updates WHERE account_id = $1 AND doc_name = $2 AND seq <= $3',
						[accountId, docName, last.seq]
					);
					return parts.reduce((n, part) => n + part.byteLength, 0) - folded.byteLength;
				});
				if (scrub && freed !== null) await vacuum();
				freedBytes = freed ?? 0;
			});
			return compacted.then(() => freedBytes);
		},
		async pendingScrubs() {
			const { rows } = await pool.query<{ account_id: string; doc_name: string }>(
				'SELECT account_id, doc_name FROM doc_scrubs'
			);
			return rows.map((row) => `${row.account_id}/${row.doc_name}` as DocKey);
		},
		purge(key) {
			return purgeMany([key]);
		},
		purgeMany,
		async isDeleted(key) {
			const { accountId, docName } = splitDocKey(key);
			const { rowCount } = await pool.query(
				'SELECT 1 FROM doc_tombstones WHERE account_id = $1 AND doc_name = $2',
				[accountId, docName]
			);
			return (rowCount ?? 0) > 0;
		},
		async changesSince(accountId, since) {
			// One statement, one snapshot: the cursor covers exactly the rows returned. It is the
			// account's own last seq, so other accounts' writes never move it [HD11].
			const { rows } = await pool.query<{
				cursor: string;
				doc_name: string | null;
				deleted: boolean | null;
			}>(
				`WITH cur AS (SELECT coalesce(max(seq), 0) AS cursor FROM doc_changes WHERE account_id = $1)
				 SELECT cur.cursor, c.doc_name, c.deleted FROM cur
				 LEFT JOIN doc_changes c ON c.account_id = $1
				   AND c.seq > (CASE WHEN $2::bigint > cur.cursor THEN 0 ELSE $2::bigint END)
				 ORDER BY c.seq`,
				[accountId, since]
			);
			// A cursor beyond the account's last change means a restored backup (R4): everything is answered.
			const changed: DocName[] = [];
			const deleted: DocName[] = [];
			for (const row of rows) {
				if (row.doc_name === null) continue;
				(row.deleted ? deleted : changed).push(row.doc_name as DocName);
			}
			return { cursor: Number(rows[0]?.cursor ?? 0), changed, deleted };
		},
		async close() {
			// Waits for every write requested so far, then ends the pool.
			await enqueue(async () => {});
			closed = true;
			await pool.end();
		}
	};
}
