import * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';
import { compactUpdates } from '../core/compaction.js';
import { allTables, type TetherDb } from './db.js';
import type { DocBinding } from './doc-cache.js';
import type { Outbox } from './outbox.js';
import { RowProjector } from './row-projector.js';

/** Transaction origin of updates read back from IndexedDB: already stored, never stored again. */
export const loadOrigin = Symbol('load');
/** Transaction origin of updates another tab stored and broadcast. */
export const tabOrigin = Symbol('tab');

export class DocDeletedError extends Error {
	constructor(readonly docName: DocName) {
		super(`${docName} was deleted`);
	}
}

/**
 * Whether the person's own edits are in IndexedDB: all committed ('saved'), some still on their
 * way ('saving'), or held in memory because writing keeps failing ('failing', storage full say).
 */
export type LocalSaveState = 'saved' | 'saving' | 'failing';

export interface PersistenceOptions {
	/** Compact a document's update log once it holds this many updates. */
	compactAfter: number;
	/** Whether updates with this origin came from the server (they make nothing pending). */
	isRemote: (origin: unknown) => boolean;
	/** Called once a batch is committed: its updates, for other tabs, and what it purged. */
	onStored: (stored: { name: DocName; updates: Uint8Array[] }[], purged: DocName[]) => void;
	onError: (error: unknown) => void;
	/** Called whenever the save state of local edits changes. */
	onSaveState?: (state: LocalSaveState) => void;
	now: () => number;
}

/** One document's unsaved state. */
class Binding implements DocBinding {
	pending: Uint8Array[] = [];
	/** Version of the newest local change among `pending` (0: all came from the server). */
	localVersion = 0;
	storedCount = 0;
	readonly projector: RowProjector;

	constructor(
		readonly name: DocName,
		readonly doc: Y.Doc,
		readonly persistence: DocPersistence,
		readonly onUpdate: (update: Uint8Array, origin: unknown) => void
	) {
		this.projector = new RowProjector(name, doc, (origin) => origin === loadOrigin);
		doc.on('update', onUpdate);
	}

	get unsaved(): boolean {
		return this.pending.length > 0;
	}

	load(): Promise<void> {
		return this.persistence.load(this);
	}

	destroy(): void {
		this.doc.off('update', this.onUpdate);
		this.projector.destroy();
		this.persistence.unbind(this);
	}
}

interface BatchItem {
	binding: Binding;
	updates: Uint8Array[];
	localVersion: number;
	deletes: boolean;
}

/**
 * Writes every change of the open documents to IndexedDB: after each synchronous burst, the
 * pending updates of all documents, the rows they imply and the outbox's marks go into one Dexie
 * transaction ([LS2]). A failed transaction keeps everything in memory and is retried with backoff.
 */
export class DocPersistence {
	readonly #db: TetherDb;
	readonly #outbox: Outbox;
	readonly #options: PersistenceOptions;
	readonly #bindings = new Set<Binding>();
	#writing: Promise<void> = Promise.resolve();
	#scheduled = false;
	#failures = 0;
	#retryTimer: ReturnType<typeof setTimeout> | undefined;
	#destroyed = false;
	/** The batch being written holds local edits. */
	#writingLocal = false;
	#saveState: LocalSaveState = 'saved';

	constructor(db: TetherDb, outbox: Outbox, options: PersistenceOptions) {
		this.#db = db;
		this.#outbox = outbox;
		this.#options = options;
	}

	bind(name: DocName, doc: Y.Doc): DocBinding {
		const binding: Binding = new Binding(name, doc, this, (update, origin) => {
			if (origin === loadOrigin || origin === tabOrigin) return;
			binding.pending.push(update);
			if (!this.#options.isRemote(origin)) {
				binding.localVersion = this.#outbox.noteLocal(name);
				this.#updateSaveState();
			}
			this.#schedule();
		});
		this.#bindings.add(binding);
		return binding;
	}

	unbind(binding: Binding): void {
		this.#bindings.delete(binding);
		this.#updateSaveState();
	}

	get saveState(): LocalSaveState {
		return this.#saveState;
	}

	async load(binding: Binding): Promise<void> {
		const db = this.#db;
		const [tombstone, stored] = await db.transaction('r', [db.tombstones, db.updates], () =>
			Promise.all([
				db.tombstones.get(binding.name),
				db.updates.where('docName').equals(binding.name).toArray()
			])
		);
		if (tombstone) throw new DocDeletedError(binding.name);
		Y.transact(
			binding.doc,
			() => {
				for (const row of stored) Y.applyUpdate(binding.doc, row.data, loadOrigin);
			},
			loadOrigin
		);
		binding.storedCount = stored.length;
	}

	/** Resolves once everything updated so far is in IndexedDB (or its write failed and waits). */
	async flush(): Promise<void> {
		this.#schedule();
		let seen: Promise<void>;
		do {
			seen = this.#writing;
			await seen;
		} while (seen !== this.#writing);
	}

	destroy(): void {
		this.#destroyed = true;
		clearTimeout(this.#retryTimer);
	}

	#updateSaveState(): void {
		let unsaved = this.#writingLocal;
		for (const binding of this.#bindings) unsaved ||= binding.localVersion > 0;
		const state = saveStateOf(unsaved, this.#failures > 0);
		if (state === this.#saveState) return;
		this.#saveState = state;
		this.#options.onSaveState?.(state);
	}

	#schedule(): void {
		if (this.#scheduled || this.#destroyed) return;
		this.#scheduled = true;
		// Chained now, run after the current synchronous burst: its updates share a transaction,
		// and nothing waits on a timer (a tab killed right after typing loses as little as possible).
		this.#writing = this.#writing.then(() => {
			this.#scheduled = false;
			return this.#write();
		});
	}

	async #write(): Promise<void> {
		if (this.#destroyed) return;
		// Take the batch and compute its rows synchronously, so rows match the stored updates.
		const batch: (BatchItem & { rows: ReturnType<RowProjector['take']>['rows'] })[] = [];
		for (const binding of this.#bindings) {
			if (binding.pending.length === 0) continue;
			const { rows, deletes } = binding.projector.take();
			batch.push({
				binding,
				updates: binding.pending,
				localVersion: binding.localVersion,
				deletes,
				rows
			});
			binding.pending = [];
			binding.localVersion = 0;
		}
		if (batch.length === 0) return;
		this.#writingLocal = batch.some((item) => item.localVersion > 0);
		const now = this.#options.now();
		const db = this.#db;
		const compacted = new Set<Binding>();
		let purged: DocName[] = [];
		try {
			await db.transaction('rw', allTables(db), async () => {
				purged = [];
				compacted.clear();
				const tombstones = await db.tombstones.bulkGet(batch.map((b) => b.binding.name));
				for (const [i, item] of batch.entries()) {
					const { name } = item.binding;
					// Deleted before, or by an earlier document of this very batch (a project's sessions).
					if (tombstones[i] || purged.includes(name)) continue;
					await db.updates.bulkAdd(item.updates.map((data) => ({ docName: name, data })));
					if (item.localVersion) await this.#outbox.markInTransaction(name, item.localVersion);
					purged.push(...(await item.rows(db, now)));
					const count = item.binding.storedCount + item.updates.length;
					// A deletion is only gone once the history that wrote it is folded away ([LS10]).
					if (item.deletes || count > this.#options.compactAfter) {
						await compactStored(db, name);
						compacted.add(item.binding);
					}
				}
			});
		} catch (error) {
			for (const item of batch) {
				item.binding.pending = [...item.updates, ...item.binding.pending];
				item.binding.localVersion = Math.max(item.binding.localVersion, item.localVersion);
				item.binding.projector.retry(item.deletes);
			}
			this.#writingLocal = false;
			this.#failures++;
			this.#updateSaveState();
			this.#options.onError(error);
			// Back off, then try again: edits stay in memory (and keep syncing) meanwhile.
			clearTimeout(this.#retryTimer);
			this.#retryTimer = setTimeout(
				() => this.#schedule(),
				Math.min(30_000, 500 * 2 ** this.#failures)
			);
			return;
		}
		this.#failures = 0;
		this.#writingLocal = false;
		this.#updateSaveState();
		for (const item of batch) {
			item.binding.storedCount = compacted.has(item.binding)
				? 1
				: item.binding.storedCount + item.updates.length;
		}
		this.#options.onStored(
			batch.map((item) => ({ name: item.binding.name, updates: item.updates })),
			purged
		);
	}
}

/** Whether local edits are committed, on their way, or failing to be written ([LS12]). */
function saveStateOf(unsaved: boolean, failing: boolean): LocalSaveState {
	if (!unsaved) return 'saved';
	return failing ? 'failing' : 'saving';
}

/** Folds a document's stored updates into one, inside the caller's transaction ([LS5]). */
async function compactStored(db: TetherDb, name: DocName): Promise<void> {
	const rows = await db.updates.where('docName').equals(name).toArray();
	if (rows.length === 0) return;
	const data = compactUpdates(rows.map((r) => r.data));
	await db.updates.bulkDelete(rows.map((r) => r.id as number));
	await db.updates.add({ docName: name, data });
}
