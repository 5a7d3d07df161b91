import * as Y from 'yjs';
import { parseDocName, type DocName } from '../core/doc-names.js';
import { compactUpdates } from '../core/compaction.js';
import * as projection from '../core/projection.js';
import * as shapes from '../core/shapes.js';
import { allTables, type TetherDb } from './db.js';
import { purgeDoc } from './purge.js';
import { rowsForDoc, type RowWrite } from './rows-for-doc.js';
import { TabChannel } from './tab-channel.js';

/** Transaction origin of updates read back from IndexedDB: already stored, never stored again. */
export const loadOrigin = Symbol('load');
/** Transaction origin of updates another tab stored and broadcast. */
export const tabOrigin = Symbol('tab');

export class DocDeletedError extends Error {
	constructor(readonly docName: DocName) {
		super(`${docName} was deleted`);
	}
}

interface OpenDoc {
	doc: Y.Doc;
	refs: number;
	ready: Promise<void>;
	storedCount: number;
	changes: projection.MessageChanges;
	pending: Uint8Array[];
	/** Some pending update was made on this device (not received from the server). */
	pendingLocal: boolean;
	off: () => void;
}

export interface DocStoreOptions {
	/** Compact a document's update log once it holds this many updates. */
	compactAfter?: number;
	/** Share stored updates with other tabs of this browser (off in unit tests). */
	tabs?: boolean;
	onError?: (error: unknown) => void;
	now?: () => number;
}

/**
 * Keeps the open Yjs documents and their IndexedDB copy in step: every local or synced update is
 * stored together with the rows it implies, in one Dexie transaction, then shared with other tabs.
 */
export class DocStore {
	readonly #db: TetherDb;
	readonly #docs = new Map<DocName, OpenDoc>();
	readonly #purgeListeners = new Set<(name: DocName) => void>();
	readonly #compactAfter: number;
	readonly #onError: (error: unknown) => void;
	readonly #now: () => number;
	readonly #tabs: TabChannel | undefined;
	readonly #remoteOrigins = new WeakSet<object>();
	#dirtyVersion = 0;
	/**
	 * Documents known to carry a dirty mark: written here, or read by dirtyDocs() (which also
	 * finds other tabs' marks). markSynced skips the rest, so an acknowledged keystroke costs
	 * no IndexedDB transaction.
	 */
	readonly #dirtyKnown = new Set<DocName>();
	#writing: Promise<void> = Promise.resolve();
	#scheduled = false;
	#failures = 0;

	constructor(db: TetherDb, options: DocStoreOptions = {}) {
		this.#db = db;
		this.#compactAfter = options.compactAfter ?? 200;
		this.#onError = options.onError ?? ((error) => console.error(error));
		this.#now = options.now ?? Date.now;
		this.#tabs =
			options.tabs && typeof BroadcastChannel !== 'undefined'
				? new TabChannel(db.name, {
						update: (name, update) => {
							const open = this.#docs.get(name);
							if (open) Y.applyUpdate(open.doc, update, tabOrigin);
						},
						purged: (name) => this.#dropPurged([name])
					})
				: undefined;
	}

	get db(): TetherDb {
		return this.#db;
	}

	/** Opens (loading from IndexedDB once) and holds a document until `release`. */
	async open(name: DocName): Promise<Y.Doc> {
		let open = this.#docs.get(name);
		if (!open) {
			open = this.#attach(name);
			this.#docs.set(name, open);
		}
		open.refs++;
		try {
			await open.ready;
		} catch (error) {
			this.release(name);
			throw error;
		}
		return open.doc;
	}

	release(name: DocName): void {
		const open = this.#docs.get(name);
		if (!open) return;
		open.refs--;
		if (open.refs > 0) return;
		void this.#closeWhenIdle(name, open);
	}

	/** Unsaved updates are written before a document goes away; a re-opened one stays. */
	async #closeWhenIdle(name: DocName, open: OpenDoc): Promise<void> {
		await this.flush();
		if (open.refs > 0 || open.pending.length > 0 || this.#docs.get(name) !== open) return;
		open.off();
		open.doc.destroy();
		this.#docs.delete(name);
	}

	/** Opens a document, applies a change, waits until it is stored, and lets go of it. */
	async change(name: DocName, apply: (doc: Y.Doc) => void): Promise<void> {
		const doc = await this.open(name);
		try {
			apply(doc);
			await this.flush();
		} finally {
			this.release(name);
		}
	}

	/** Updates applied with this origin came from the server: they do not make a document dirty. */
	addRemoteOrigin(origin: object): void {
		this.#remoteOrigins.add(origin);
	}

	/** Documents with local changes the server may not have stored. */
	async dirtyDocs(): Promise<DocName[]> {
		const names = (await this.#db.dirty.toCollection().primaryKeys()) as DocName[];
		for (const name of names) this.#dirtyKnown.add(name);
		return names;
	}

	/**
	 * The server has stored everything of this document that is in memory: clear its dirty mark,
	 * unless a newer local change was stored since (its mark has a newer version).
	 */
	async markSynced(name: DocName): Promise<void> {
		if (!this.#dirtyKnown.has(name)) return;
		const open = this.#docs.get(name);
		if (open && (open.pending.length > 0 || open.pendingLocal)) return;
		const version = this.#nextDirtyVersion();
		await this.#db.transaction('rw', this.#db.dirty, async () => {
			const row = await this.#db.dirty.get(name);
			if (row && row.version > version) return;
			await this.#db.dirty.delete(name);
			this.#dirtyKnown.delete(name);
		});
	}

	/** Resolves once everything updated so far is in IndexedDB. */
	async flush(): Promise<void> {
		this.#schedule();
		let seen: Promise<void>;
		do {
			seen = this.#writing;
			await seen;
		} while (seen !== this.#writing);
	}

	/**
	 * Drops this device's copy of a document the server says was deleted: its rows, its updates,
	 * its children (a project's sessions). Idempotent.
	 */
	async purge(name: DocName, options: { serverKnows?: boolean } = {}): Promise<void> {
		const db = this.#db;
		let purged: DocName[] = [];
		await db.transaction('rw', allTables(db), async () => {
			if (await db.tombstones.get(name)) return;
			purged = await purgeDoc(db, name, this.#now());
			// The server told us: no need to tell it back.
			if (options.serverKnows) await db.tombstones.update(name, { confirmed: 1 });
		});
		this.#dropPurged(purged);
		for (const one of purged) this.#tabs?.sendPurged(one);
	}

	onPurged(listener: (name: DocName) => void): () => void {
		this.#purgeListeners.add(listener);
		return () => this.#purgeListeners.delete(listener);
	}

	destroy(): void {
		this.#tabs?.close();
		for (const open of this.#docs.values()) {
			open.off();
			open.doc.destroy();
		}
		this.#docs.clear();
	}

	#attach(name: DocName): OpenDoc {
		const doc = new Y.Doc({ gc: true });
		const open: OpenDoc = {
			doc,
			refs: 0,
			storedCount: 0,
			changes: projection.emptyMessageChanges(),
			pending: [],
			pendingLocal: false,
			ready: Promise.resolve(),
			off: () => {}
		};
		const onUpdate = (update: Uint8Array, origin: unknown) => {
			if (origin === loadOrigin || origin === tabOrigin) return;
			open.pending.push(update);
			if (!this.#remoteOrigins.has(origin as object)) open.pendingLocal = true;
			this.#schedule();
		};
		doc.on('update', onUpdate);
		let offMessages = () => {};
		if (parseDocName(name)?.kind === 'session') {
			const list = shapes.messages(doc);
			const onDeep = (events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction) => {
				if (tr.origin === loadOrigin) return;
				projection.collectMessageChanges(open.changes, events, list);
			};
			list.observeDeep(onDeep);
			offMessages = () => list.unobserveDeep(onDeep);
		}
		open.off = () => {
			doc.off('update', onUpdate);
			offMessages();
		};
		open.ready = this.#load(name, open);
		return open;
	}

	async #load(name: DocName, open: OpenDoc): Promise<void> {
		const [tombstone, stored] = await this.#db.transaction(
			'r',
			[this.#db.tombstones, this.#db.updates],
			() =>
				Promise.all([
					this.#db.tombstones.get(name),
					this.#db.updates.where('docName').equals(name).toArray()
				])
		);
		if (tombstone) {
			open.off();
			this.#docs.delete(name);
			throw new DocDeletedError(name);
		}
		Y.transact(
			open.doc,
			() => {
				for (const row of stored) Y.applyUpdate(open.doc, row.data, loadOrigin);
			},
			loadOrigin
		);
		open.storedCount = stored.length;
	}

	/** Increasing across tabs and reloads too: wall-clock time, made strictly increasing here. */
	#nextDirtyVersion(): number {
		this.#dirtyVersion = Math.max(this.#now(), this.#dirtyVersion + 1);
		return this.#dirtyVersion;
	}

	#schedule(): void {
		if (this.#scheduled) return;
		this.#scheduled = true;
		// Chained now, run after the current synchronous burst: its updates share a transaction,
		// and nothing waits on a timer (a tab killed right after typing loses as little as possible).
		this.#writing = this.#writing.then(() => {
			this.#scheduled = false;
			return this.#write();
		});
	}

	async #write(): Promise<void> {
		// Take the batch and compute its rows synchronously, so rows match the stored updates.
		const batch: {
			name: DocName;
			open: OpenDoc;
			updates: Uint8Array[];
			local: boolean;
			rows: RowWrite;
		}[] = [];
		for (const [name, open] of this.#docs) {
			if (open.pending.length === 0) continue;
			const changes = open.changes;
			open.changes = projection.emptyMessageChanges();
			batch.push({
				name,
				open,
				updates: open.pending,
				local: open.pendingLocal,
				rows: rowsForDoc(name, open.doc, changes)
			});
			open.pending = [];
			open.pendingLocal = false;
		}
		if (batch.length === 0) return;
		const now = this.#now();
		const db = this.#db;
		let purged: DocName[] = [];
		try {
			await db.transaction('rw', allTables(db), async () => {
				purged = [];
				const tombstones = await db.tombstones.bulkGet(batch.map((b) => b.name));
				for (const [i, item] of batch.entries()) {
					if (tombstones[i]) continue;
					await db.updates.bulkAdd(item.updates.map((data) => ({ docName: item.name, data })));
					if (item.local)
						await db.dirty.put({ docName: item.name, version: this.#nextDirtyVersion() });
					this.#dirtyKnown.add(item.name);
					purged.push(...(await item.rows(db, now)));
				}
			});
		} catch (error) {
			this.#requeue(batch);
			this.#onError(error);
			this.#failures++;
			// Back off, then try again: edits stay in memory (and keep syncing) meanwhile.
			setTimeout(() => this.#schedule(), Math.min(30_000, 500 * 2 ** this.#failures));
			return;
		}
		this.#failures = 0;
		for (const item of batch) {
			item.open.storedCount += item.updates.length;
			for (const update of item.updates) this.#tabs?.sendUpdate(item.name, update);
		}
		if (purged.length) {
			this.#dropPurged(purged);
			for (const name of purged) this.#tabs?.sendPurged(name);
		}
		for (const item of batch) {
			if (item.open.storedCount > this.#compactAfter) await this.#compact(item.name, item.open);
		}
	}

	#requeue(batch: { open: OpenDoc; updates: Uint8Array[]; local: boolean }[]): void {
		for (const item of batch) {
			item.open.pending = [...item.updates, ...item.open.pending];
			item.open.pendingLocal ||= item.local;
			// Rows are recomputed from the whole document on the next try.
			item.open.changes.fromSeq = 0;
		}
	}

	async #compact(name: DocName, open: OpenDoc): Promise<void> {
		const db = this.#db;
		await db.transaction('rw', db.updates, async () => {
			const rows = await db.updates.where('docName').equals(name).toArray();
			if (rows.length <= 1) return;
			const data = compactUpdates(rows.map((r) => r.data));
			await db.updates.bulkDelete(rows.map((r) => r.id as number));
			await db.updates.add({ docName: name, data });
		});
		open.storedCount = 1;
	}

	#dropPurged(names: DocName[]): void {
		for (const name of names) {
			const open = this.#docs.get(name);
			if (open) {
				open.off();
				open.pending = [];
				this.#docs.delete(name);
			}
			for (const listener of this.#purgeListeners) listener(name);
		}
	}
}
