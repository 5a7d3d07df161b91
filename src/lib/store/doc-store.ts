import * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';
import { allTables, type TetherDb } from './db.js';
import { DocCache } from './doc-cache.js';
import { Outbox } from './outbox.js';
import { DocPersistence, tabOrigin, type LocalSaveState } from './persistence.js';
import type { LostWork } from '../core/lost-work.js';
import { lostWorkOfDoc, purgeDoc } from './purge.js';
import { TabChannel } from './tab-channel.js';

export { DocDeletedError, loadOrigin, tabOrigin, type LocalSaveState } from './persistence.js';

export interface DocStoreOptions {
	/** Compact a document's update log once it holds this many updates. */
	compactAfter?: number;
	/** Compact a document whole for its count of updates only while it is under this many bytes. */
	compactWholeBelow?: number;
	/** Share stored updates with other tabs of this browser (off in unit tests). */
	tabs?: boolean;
	onError?: (error: unknown) => void;
	now?: () => number;
}

/**
 * The account's documents on this device: a cache of open documents, their persistence to
 * IndexedDB (updates and rows in one transaction), the outbox of what the server has not
 * confirmed, and the channel to other tabs. Views and sync use this; the parts stay private.
 */
export class DocStore {
	readonly db: TetherDb;
	readonly outbox: Outbox;
	readonly #cache: DocCache;
	readonly #persistence: DocPersistence;
	readonly #tabs: TabChannel | undefined;
	readonly #remoteOrigins = new WeakSet<object>();
	readonly #purgeListeners = new Set<(name: DocName) => void>();
	readonly #lostListeners = new Set<(lost: LostWork[]) => void>();
	readonly #saveListeners = new Set<(state: LocalSaveState) => void>();
	readonly #now: () => number;

	constructor(db: TetherDb, options: DocStoreOptions = {}) {
		this.db = db;
		this.#now = options.now ?? Date.now;
		this.outbox = new Outbox(db, this.#now);
		this.#persistence = new DocPersistence(db, this.outbox, {
			compactAfter: options.compactAfter ?? 200,
			compactWholeBelow: options.compactWholeBelow ?? 4 * 1024 * 1024,
			isRemote: (origin) => typeof origin === 'object' && this.#remoteOrigins.has(origin as object),
			onStored: (stored, purged, lost) => {
				for (const { name, updates } of stored) {
					for (const update of updates) this.#tabs?.sendUpdate(name, update);
				}
				this.#dropPurged(purged);
				this.#tellLost(lost);
				for (const name of purged) this.#tabs?.sendPurged(name);
				if (purged.length > 0) void this.outbox.refresh();
			},
			onError: options.onError ?? ((error) => console.error(error)),
			onSaveState: (state) => {
				for (const listener of this.#saveListeners) listener(state);
			},
			now: this.#now
		});
		this.#cache = new DocCache(
			(name, doc) => this.#persistence.bind(name, doc),
			() => this.#persistence.flush()
		);
		this.#tabs =
			options.tabs && typeof BroadcastChannel !== 'undefined'
				? new TabChannel(db.name, {
						update: (name, update) => {
							const doc = this.#cache.peek(name);
							if (doc) Y.applyUpdate(doc, update, tabOrigin);
						},
						purged: (name) => this.#dropPurged([name])
					})
				: undefined;
	}

	/** Opens (loading from IndexedDB once) and holds a document until `release`. */
	open(name: DocName): Promise<Y.Doc> {
		return this.#cache.open(name);
	}

	/**
	 * Creates and holds a brand-new document (its id was just made) without waiting for IndexedDB,
	 * so the view that shows it can draw in the same frame; it is saved right after.
	 */
	create(name: DocName, init: (doc: Y.Doc) => void): Y.Doc {
		const doc = this.#cache.create(name);
		init(doc);
		return doc;
	}

	/** A document already open and loaded, held once more; undefined when it must be loaded. */
	hold(name: DocName): Y.Doc | undefined {
		return this.#cache.hold(name);
	}

	release(name: DocName): void {
		this.#cache.release(name);
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

	/** Updates applied with this origin came from the server: they make nothing pending. */
	addRemoteOrigin(origin: object): void {
		this.#remoteOrigins.add(origin);
	}

	/** Resolves once everything updated so far is in IndexedDB. */
	flush(): Promise<void> {
		return this.#persistence.flush();
	}

	/**
	 * Drops this device's copy of a document: its rows, its updates, its children (a project's
	 * sessions). `serverKnows`: the server told us, so there is nothing to tell it back. Idempotent.
	 */
	async purge(name: DocName, options: { serverKnows?: boolean } = {}): Promise<void> {
		const db = this.db;
		let purged: DocName[] = [];
		let lost: LostWork | undefined;
		await db.transaction('rw', allTables(db), async () => {
			if (await db.tombstones.get(name)) return;
			lost = options.serverKnows ? await lostWorkOfDoc(db, name) : undefined;
			purged = await purgeDoc(db, name, this.#now());
			if (options.serverKnows) await db.tombstones.update(name, { confirmed: 1 });
		});
		this.#dropPurged(purged);
		if (lost) this.#tellLost([lost]);
		for (const one of purged) this.#tabs?.sendPurged(one);
		await this.outbox.refresh();
	}

	/** Whether this device's own edits are committed to IndexedDB yet ([LS12]). */
	get saveState(): LocalSaveState {
		return this.#persistence.saveState;
	}

	onSaveState(listener: (state: LocalSaveState) => void): () => void {
		this.#saveListeners.add(listener);
		return () => this.#saveListeners.delete(listener);
	}

	/** Tells what deletions made on other devices discarded of this device's unsent work. */
	onLostWork(listener: (lost: LostWork[]) => void): () => void {
		this.#lostListeners.add(listener);
		return () => this.#lostListeners.delete(listener);
	}

	onPurged(listener: (name: DocName) => void): () => void {
		this.#purgeListeners.add(listener);
		return () => this.#purgeListeners.delete(listener);
	}

	destroy(): void {
		this.#persistence.destroy();
		this.#tabs?.close();
		this.#cache.destroy();
	}

	#tellLost(lost: LostWork[]): void {
		if (lost.length === 0) return;
		for (const listener of this.#lostListeners) listener(lost);
	}

	#dropPurged(names: DocName[]): void {
		if (names.length === 0) return;
		this.outbox.forget(names);
		for (const name of names) {
			this.#cache.drop(name);
			for (const listener of this.#purgeListeners) listener(name);
		}
	}
}
