import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DocName } from '../../src/lib/core/doc-names.js';
import { createSchema, type Database } from './database.js';
import { splitDocKey, type Changes, type DocKey, type DocStorage } from './types.js';
import type { WriterReply, WriterRequest } from './writer-worker.js';
import type { AppendItem, AppendResult, WriteOp, WriteResult } from './writer.js';

export { openDatabase, type Database } from './database.js';

export interface SqliteStorageOptions {
	/** Called when a stored update cannot be applied while compacting (it is then dropped). */
	onBadUpdate?: (key: DocKey, error: unknown) => void;
	/** Called after each group commit with the number of appends it carried (tests, [ST8]). */
	onCommit?: (appends: number) => void;
	/**
	 * Commits start at most this often; appends requested in between gather into the next one. A
	 * commit costs about the same for one append as for twenty (pages written to the WAL, the
	 * fsync), so this bounds the writer's work under load; it delays acknowledgements, never
	 * relays. 0 commits as soon as the writer is free.
	 */
	commitIntervalMs?: number;
}

const defaultCommitIntervalMs = 5;

/**
 * DocStorage on better-sqlite3. Reads run on `db`, the caller's connection; every write runs on
 * a second connection in a writer thread (writer-worker.ts), in request order, so a commit's fsync
 * never blocks relaying. WAL lets the two connections work side by side: a read sees every commit
 * that finished before it.
 */
export function createSqliteStorage(
	db: Database.Database,
	options: SqliteStorageOptions = {}
): DocStorage {
	createSchema(db);
	// A crash after a scrub's commit but before its checkpoint leaves old pages in the main file:
	// checkpointing once at start finishes it before anything is served.
	db.pragma('wal_checkpoint(TRUNCATE)');
	const writer = new WriterClient(db.name, options);
	const q = {
		snapshot: db.prepare<[string, string], { data: Buffer }>(
			'SELECT data FROM doc_snapshots WHERE account_id = ? AND doc_name = ?'
		),
		log: db.prepare<[string, string], { data: Buffer }>(
			'SELECT data FROM doc_updates WHERE account_id = ? AND doc_name = ? ORDER BY seq'
		),
		isDeleted: db.prepare<[string, string], { one: number }>(
			'SELECT 1 AS one FROM doc_tombstones WHERE account_id = ? AND doc_name = ?'
		),
		changes: db.prepare<[string, number], { doc_name: string; deleted: number }>(
			'SELECT doc_name, deleted FROM doc_changes WHERE account_id = ? AND seq > ? ORDER BY seq'
		),
		// The account's own position: other accounts' writes never move it [HD11].
		cursor: db.prepare<[string], { seq: number }>(
			'SELECT coalesce(max(seq), 0) AS seq FROM doc_changes WHERE account_id = ?'
		),
		scrubs: db.prepare<[], { account_id: string; doc_name: string }>(
			'SELECT account_id, doc_name FROM doc_scrubs'
		),
		// length() of a blob reads its size from the row header, not the blob itself.
		accountBytes: db.prepare<[string, string], { bytes: number }>(
			`SELECT (SELECT coalesce(sum(length(data)), 0) FROM doc_updates WHERE account_id = ?)
				+ (SELECT coalesce(sum(length(data)), 0) FROM doc_snapshots WHERE account_id = ?) AS bytes`
		)
	};

	// One read transaction, so the snapshot and the log come from the same commit.
	const loadRows = db.transaction((accountId: string, docName: string) => {
		const snapshot = q.snapshot.get(accountId, docName);
		const log = q.log.all(accountId, docName);
		return { snapshot, log };
	});

	const changesSince = db.transaction((accountId: string, since: number): Changes => {
		const cursor = q.cursor.get(accountId)?.seq ?? 0;
		// A cursor beyond the account's last change means this database was restored from an older
		// backup (R4): answer with everything so the client re-sends what the server lost.
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
		async append(key, update, appendOptions) {
			const { accountId, docName } = splitDocKey(key);
			const scrub = appendOptions?.scrub ?? false;
			const result = await writer.append({ accountId, docName, update, scrub });
			if ('error' in result) throw new Error(result.error);
			return result;
		},
		async compact(key, compactOptions) {
			const { accountId, docName } = splitDocKey(key);
			const scrub = compactOptions?.scrub ?? false;
			const result = await writer.request({ op: 'compact', accountId, docName, scrub });
			if (result.op !== 'compact') return 0;
			for (const message of result.badUpdates) options.onBadUpdate?.(key, new Error(message));
			return result.freedBytes;
		},
		async pendingScrubs() {
			return q.scrubs.all().map((row) => `${row.account_id}/${row.doc_name}` as DocKey);
		},
		async purge(key) {
			await writer.request({ op: 'purge', docs: [splitDocKey(key)] });
		},
		async purgeMany(keys) {
			await writer.request({ op: 'purge', docs: keys.map(splitDocKey) });
		},
		async isDeleted(key) {
			const { accountId, docName } = splitDocKey(key);
			return q.isDeleted.get(accountId, docName) !== undefined;
		},
		async accountBytes(accountId) {
			return q.accountBytes.get(accountId, accountId)?.bytes ?? 0;
		},
		async changesSince(accountId, since) {
			return changesSince(accountId, since);
		},
		async close() {
			await writer.close();
			db.close();
		}
	};
}

interface Queued {
	op: WriteOp;
	/** For an append batch: one waiter per item, in order. */
	appends: Array<{ resolve: (r: AppendResult) => void; reject: (e: unknown) => void }>;
	resolve: (result: WriteResult) => void;
	reject: (error: unknown) => void;
}

/**
 * Talks to the writer thread. One request is in flight at a time; appends requested meanwhile
 * (or in the same turn of the event loop) join one batch, which is the group commit: under load
 * the batches grow, so the fsyncs per second stay bounded while the thread that relays never
 * waits for one.
 */
class WriterClient {
	readonly #worker: Worker;
	readonly #queue: Queued[] = [];
	#inflight: (Queued & { id: number }) | undefined;
	#nextId = 0;
	#scheduled = false;
	/** When the last request went to the writer (performance.now()). */
	#lastSent = -Infinity;
	#failed: Error | undefined;
	#exited: Promise<void>;

	constructor(
		file: string,
		readonly options: SqliteStorageOptions
	) {
		this.#worker = startWorker(file);
		this.#worker.unref();
		this.#worker.on('message', (reply: WriterReply) => this.#reply(reply));
		this.#worker.on('error', (error) => this.#fail(error));
		this.#exited = new Promise((resolve) =>
			this.#worker.once('exit', () => {
				this.#fail(new Error('the storage writer stopped'));
				resolve();
			})
		);
	}

	append(item: AppendItem): Promise<AppendResult> {
		return new Promise((resolve, reject) => {
			if (this.#failed) return reject(this.#failed);
			const tail = this.#queue.at(-1);
			if (tail?.op.op === 'append') {
				tail.op.items.push(item);
				tail.appends.push({ resolve, reject });
			} else {
				const queued: Queued = {
					op: { op: 'append', items: [item] },
					appends: [{ resolve, reject }],
					resolve: () => {},
					reject: () => {}
				};
				this.#queue.push(queued);
			}
			this.#schedule();
		});
	}

	request(op: WriteOp): Promise<WriteResult> {
		return new Promise((resolve, reject) => {
			if (this.#failed) return reject(this.#failed);
			this.#queue.push({ op, appends: [], resolve, reject });
			this.#schedule();
		});
	}

	/** Waits for every request so far, then stops the thread and its connection. */
	async close(): Promise<void> {
		if (!this.#failed) {
			await new Promise<void>((resolve) => {
				this.#queue.push({
					op: { op: 'append', items: [] },
					appends: [],
					resolve: () => resolve(),
					reject: () => resolve()
				});
				this.#schedule();
			});
			this.#worker.postMessage('close');
		}
		await this.#exited;
	}

	/**
	 * Sends after the current turn (and the commit delay), so every append requested meanwhile
	 * joins the batch; while a request is in flight, the next batch gathers until it is answered.
	 */
	#schedule(): void {
		if (this.#scheduled || this.#inflight || this.#queue.length === 0) return;
		this.#scheduled = true;
		const interval = this.options.commitIntervalMs ?? defaultCommitIntervalMs;
		const head = this.#queue[0]!.op.op;
		// Only appends gather; compaction, purge and the like go as soon as the writer is free.
		const wait = head === 'append' ? this.#lastSent + interval - performance.now() : 0;
		const go = () => {
			this.#scheduled = false;
			this.#send();
		};
		if (wait > 0) setTimeout(go, wait);
		else setImmediate(go);
	}

	#send(): void {
		if (this.#inflight || this.#failed) return;
		const next = this.#queue.shift();
		if (!next) {
			this.#worker.unref();
			return;
		}
		this.#lastSent = performance.now();
		const id = this.#nextId++;
		this.#inflight = { ...next, id };
		this.#worker.ref();
		this.#worker.postMessage({ id, op: next.op } satisfies WriterRequest);
	}

	#reply(reply: WriterReply): void {
		if ('ready' in reply) return;
		const done = this.#inflight;
		if (!done || done.id !== reply.id) return this.#fail(new Error('writer replies out of order'));
		this.#inflight = undefined;
		if (!reply.ok) {
			const error = new Error(reply.error);
			for (const waiter of done.appends) waiter.reject(error);
			done.reject(error);
		} else {
			const { result } = reply;
			if (result.op === 'append') {
				if (done.appends.length > 0) this.options.onCommit?.(done.appends.length);
				result.results.forEach((r, i) => done.appends[i]?.resolve(r));
			}
			done.resolve(result);
		}
		// Whatever queued up while this one ran goes next, as one batch.
		this.#worker.unref();
		this.#schedule();
	}

	#fail(error: Error): void {
		this.#failed ??= error;
		const pending = [...(this.#inflight ? [this.#inflight] : []), ...this.#queue.splice(0)];
		this.#inflight = undefined;
		for (const queued of pending) {
			for (const waiter of queued.appends) waiter.reject(error);
			queued.reject(error);
		}
	}
}

/** The compiled server runs writer-worker.js; from source (tsx, vitest) it is loaded through tsx. */
function startWorker(file: string): Worker {
	const workerData = { file };
	const here = import.meta.url;
	if (!here.endsWith('.ts')) return new Worker(new URL('./writer-worker.js', here), { workerData });
	const require = createRequire(here);
	const tsx = new URL(
		'./index.mjs',
		'file://' + require.resolve('tsx/esm/api').replace(/index\.cjs$/, '')
	).href;
	const entry = new URL('./writer-worker.ts', here).href;
	const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
	return new Worker(code, { eval: true, workerData });
}
