import * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';
import { compactUpdates } from '../core/compaction.js';
import { slices } from '../core/slices.js';
import { allTables, type StoredUpdate, type TetherDb } from './db.js';
import type { DocBinding } from './doc-cache.js';
import type { Outbox } from './outbox.js';
import { nextTask } from './next-task.js';
import type { LostWork } from '../core/lost-work.js';
import { RowProjector } from './row-projector.js';

/** Stored updates applied in one task when a document loads (at least one, however big). */
const loadSliceBytes = 512 * 1024;
/** About this many bytes of stored updates are read from IndexedDB at once when a document loads. */
const loadReadBytes = 4 * 1024 * 1024;

/** A stored update of a document: its row, and its size. */
interface StoredRow {
	id: number;
	bytes: number;
}

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
	/**
	 * A document stored in more bytes than this is not compacted whole for its count of updates
	 * (that froze the page for seconds at 100 MB): its newest updates are folded, a quarter of this
	 * at a time. A deletion still compacts it whole ([LS10]).
	 */
	compactWholeBelow: number;
	/** Whether updates with this origin came from the server (they make nothing pending). */
	isRemote: (origin: unknown) => boolean;
	/** Called once a batch is committed: its updates, for other tabs, and what it purged. */
	/** `lost`: what deletions made on other devices discarded of this device's work. */
	onStored: (
		stored: { name: DocName; updates: Uint8Array[] }[],
		purged: DocName[],
		lost: LostWork[]
	) => void;
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
	/** The document's stored updates as this tab knows them, oldest first. */
	stored: StoredRow[] = [];
	readonly projector: RowProjector;

	constructor(
		readonly name: DocName,
		readonly doc: Y.Doc,
		readonly persistence: DocPersistence,
		readonly onUpdate: (update: Uint8Array, origin: unknown) => void,
		isRemote: (origin: unknown) => boolean
	) {
		this.projector = new RowProjector(name, doc, (origin) => origin === loadOrigin, isRemote);
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
	deletedHere: ReadonlySet<string>;
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
		const binding: Binding = new Binding(
			name,
			doc,
			this,
			(update, origin) => {
				if (origin === loadOrigin || origin === tabOrigin) return;
				binding.pending.push(update);
				if (!this.#options.isRemote(origin)) {
					binding.localVersion = this.#outbox.noteLocal(name);
					this.#updateSaveState();
				}
				this.#schedule();
			},
			this.#options.isRemote
		);
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
		const [tombstone, stored] = await db.transaction('r', [db.tombstones, db.updates], async () => {
			const tombstone = await db.tombstones.get(binding.name);
			const ids = (await db.updates
				.where('docName')
				.equals(binding.name)
				.primaryKeys()) as number[];
			// About `loadReadBytes` per read: each read is copied into the page in a task of its own,
			// so a document stored in a hundred megabytes is not one copy that freezes it, while a
			// small one takes a second read at most. The first read finds out how big rows are.
			const rows: StoredUpdate[] = [];
			let bytes = 0;
			for (let start = 0, count = 8; start < ids.length; start += count) {
				if (rows.length > 0) count = Math.max(1, Math.floor(loadReadBytes / (bytes / rows.length)));
				const read = await db.updates.bulkGet(ids.slice(start, start + count));
				for (const row of read) {
					if (!row) continue;
					rows.push(row);
					bytes += row.data.byteLength;
				}
			}
			return [tombstone, rows] as const;
		});
		if (tombstone) throw new DocDeletedError(binding.name);
		// A small document loads in one transaction. A big one (an imported transcript is stored
		// in slices) loads a few of its stored updates per task, so opening it never freezes the
		// page; nobody sees the document before its load is done.
		let first = true;
		for (const slice of slices(stored, (row) => row.data.byteLength, loadSliceBytes)) {
			if (!first) await nextTask();
			first = false;
			Y.transact(
				binding.doc,
				() => {
					for (const row of slice) Y.applyUpdate(binding.doc, row.data, loadOrigin);
				},
				loadOrigin
			);
		}
		binding.stored = stored.map((row) => ({ id: row.id as number, bytes: row.data.byteLength }));
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
			const { rows, deletes, deletedHere } = binding.projector.take();
			batch.push({
				binding,
				updates: binding.pending,
				localVersion: binding.localVersion,
				deletes,
				deletedHere,
				rows
			});
			binding.pending = [];
			binding.localVersion = 0;
		}
		if (batch.length === 0) return;
		this.#writingLocal = batch.some((item) => item.localVersion > 0);
		const now = this.#options.now();
		const db = this.#db;
		// What each document's stored rows are once the transaction committed.
		const storedAfter = new Map<Binding, StoredRow[]>();
		let purged: DocName[] = [];
		let lost: LostWork[] = [];
		try {
			await db.transaction('rw', allTables(db), async () => {
				purged = [];
				lost = [];
				storedAfter.clear();
				const tombstones = await db.tombstones.bulkGet(batch.map((b) => b.binding.name));
				for (const [i, item] of batch.entries()) {
					const { name } = item.binding;
					// Deleted before, or by an earlier document of this very batch (a project's sessions).
					if (tombstones[i] || purged.includes(name)) continue;
					const ids = await db.updates.bulkAdd(
						item.updates.map((data) => ({ docName: name, data })),
						{ allKeys: true }
					);
					if (item.localVersion) await this.#outbox.markInTransaction(name, item.localVersion);
					purged.push(...(await item.rows(db, now, lost)));
					let rows = [
						...item.binding.stored,
						...ids.map((id, k) => ({ id: id as number, bytes: item.updates[k]!.byteLength }))
					];
					// A deletion is only gone once the history that wrote it is folded away ([LS10]).
					if (item.deletes) rows = await compactStored(db, name);
					else if (rows.length > this.#options.compactAfter) {
						rows = await tidyStored(db, name, rows, this.#options.compactWholeBelow);
					}
					storedAfter.set(item.binding, rows);
				}
			});
		} catch (error) {
			for (const item of batch) {
				item.binding.pending = [...item.updates, ...item.binding.pending];
				item.binding.localVersion = Math.max(item.binding.localVersion, item.localVersion);
				item.binding.projector.retry(item);
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
		for (const [binding, rows] of storedAfter) binding.stored = rows;
		this.#options.onStored(
			batch.map((item) => ({ name: item.binding.name, updates: item.updates })),
			purged,
			lost
		);
	}
}

/** Whether local edits are committed, on their way, or failing to be written ([LS12]). */
function saveStateOf(unsaved: boolean, failing: boolean): LocalSaveState {
	if (!unsaved) return 'saved';
	return failing ? 'failing' : 'saving';
}

/** Folds a document's stored updates into one, inside the caller's transaction ([LS5]). */
async function compactStored(db: TetherDb, name: DocName): Promise<StoredRow[]> {
	const rows = await db.updates.where('docName').equals(name).toArray();
	if (rows.length === 0) return [];
	const data = compactUpdates(rows.map((r) => r.data));
	await db.updates.bulkDelete(rows.map((r) => r.id as number));
	const id = (await db.updates.add({ docName: name, data })) as number;
	return [{ id, bytes: data.byteLength }];
}

/**
 * Keeps a document's update log short as it grows ([LS5]): a small document is compacted whole
 * (its deleted text goes with it); a big one has its newest updates folded into one, up to a
 * quarter of `wholeBelow` bytes, so the work of one write stays bounded however big it is.
 */
async function tidyStored(
	db: TetherDb,
	name: DocName,
	rows: StoredRow[],
	wholeBelow: number
): Promise<StoredRow[]> {
	const total = rows.reduce((sum, row) => sum + row.bytes, 0);
	if (total <= wholeBelow) return compactStored(db, name);
	let first = rows.length;
	let bytes = 0;
	while (first > 0 && bytes + rows[first - 1]!.bytes <= wholeBelow / 4) {
		first--;
		bytes += rows[first]!.bytes;
	}
	const fold = rows.slice(first);
	if (fold.length < 2) return rows;
	const found = await db.updates.bulkGet(fold.map((row) => row.id));
	if (found.some((row) => row === undefined)) {
		// Another tab folded some of them: go on from what is stored, sizes unknown (never folded).
		const ids = (await db.updates.where('docName').equals(name).primaryKeys()) as number[];
		return ids.map((id) => ({ id, bytes: Infinity }));
	}
	const data = Y.mergeUpdates(found.map((row) => row!.data));
	await db.updates.bulkDelete(fold.map((row) => row.id));
	const id = (await db.updates.add({ docName: name, data })) as number;
	return [...rows.slice(0, first), { id, bytes: data.byteLength }];
}
