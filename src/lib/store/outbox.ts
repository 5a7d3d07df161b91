import type { DocName } from '../core/doc-names.js';
import type { TetherDb } from './db.js';

/** What the sync status and the wipe warning need to know about the outbox. */
export interface OutboxState {
	/** Documents with local changes the server has not confirmed as stored. */
	docs: number;
	/** Deletions made here that the server has not confirmed. */
	deletions: number;
}

/**
 * The one owner of "not yet on the server". A local change gets a version when it is made; the
 * document is pending until the server confirms a version at least as new. The pending mark is
 * stored in the same Dexie transaction as the change (so a reload still knows to send it), and
 * deletions are pending while their tombstone is unconfirmed.
 *
 * Versions are wall-clock milliseconds made strictly increasing here, so they also order marks
 * written by other tabs and earlier page loads well enough: a confirmation only ever clears what
 * was made before it was taken.
 */
export class Outbox {
	readonly #db: TetherDb;
	readonly #now: () => number;
	#last = 0;
	/** Newest unconfirmed version per document changed in this tab. */
	readonly #local = new Map<DocName, number>();
	/** Stored marks as last read (other tabs and earlier page loads write them too). */
	#marked = new Map<DocName, number>();
	/** Newest confirmed version per document, so a mark written after its confirmation is skipped. */
	readonly #confirmed = new Map<DocName, number>();
	#deletions = 0;
	readonly #listeners = new Set<(state: OutboxState) => void>();

	constructor(db: TetherDb, now: () => number = Date.now) {
		this.#db = db;
		this.#now = now;
	}

	get state(): OutboxState {
		let docs = this.#local.size;
		for (const name of this.#marked.keys()) if (!this.#local.has(name)) docs++;
		return { docs, deletions: this.#deletions };
	}

	onChange(listener: (state: OutboxState) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** A version newer than every change noted so far: take it before a sync begins. */
	version(): number {
		this.#last = Math.max(this.#now(), this.#last + 1);
		return this.#last;
	}

	/** A local change to `name` was just made; returns its version. Synchronous, on the edit. */
	noteLocal(name: DocName): number {
		const version = this.version();
		const before = this.state.docs;
		this.#local.set(name, version);
		if (this.state.docs !== before) this.#emit();
		return version;
	}

	/**
	 * Inside the transaction that stores the change: keep a mark so a reload still sends it. A
	 * change the server already confirmed (its ack can beat IndexedDB) leaves no mark.
	 */
	async markInTransaction(name: DocName, version: number): Promise<void> {
		if (version <= (this.#confirmed.get(name) ?? 0)) return;
		await this.#db.dirty.put({ docName: name, version });
	}

	/** The server has stored everything of `name` that this device had when `version` was taken. */
	async confirm(name: DocName, version: number): Promise<void> {
		this.#confirmed.set(name, Math.max(version, this.#confirmed.get(name) ?? 0));
		const before = this.state.docs;
		if ((this.#local.get(name) ?? Infinity) <= version) this.#local.delete(name);
		if ((this.#marked.get(name) ?? Infinity) <= version) this.#marked.delete(name);
		if (this.state.docs !== before) this.#emit();
		await this.#db.transaction('rw', this.#db.dirty, async () => {
			const mark = await this.#db.dirty.get(name);
			if (mark && mark.version <= version) await this.#db.dirty.delete(name);
		});
	}

	/** Documents to send: changed here and not confirmed, in this tab, another, or before a reload. */
	async pendingDocs(): Promise<DocName[]> {
		await this.refresh();
		return [...new Set([...this.#local.keys(), ...this.#marked.keys()])];
	}

	/** Deleted here, not yet confirmed by the server. */
	async pendingDeletions(): Promise<DocName[]> {
		const rows = await this.#db.tombstones.where('confirmed').equals(0).toArray();
		return rows.map((t) => t.docName as DocName);
	}

	async confirmDeletions(names: DocName[]): Promise<void> {
		await this.#db.tombstones.where('docName').anyOf(names).modify({ confirmed: 1 });
		await this.refresh();
	}

	/** A purged document has nothing left to send. */
	forget(names: DocName[]): void {
		const before = this.state.docs;
		for (const name of names) {
			this.#local.delete(name);
			this.#marked.delete(name);
		}
		if (this.state.docs !== before) this.#emit();
	}

	/** Reads the stored marks and tombstones again (other tabs and earlier loads write them too). */
	async refresh(): Promise<void> {
		const [marks, deletions] = await this.#db.transaction(
			'r',
			this.#db.dirty,
			this.#db.tombstones,
			() =>
				Promise.all([
					this.#db.dirty.toArray(),
					this.#db.tombstones.where('confirmed').equals(0).count()
				])
		);
		const before = this.state;
		const marked = new Map<DocName, number>();
		for (const mark of marks) {
			const name = mark.docName as DocName;
			if (mark.version > (this.#confirmed.get(name) ?? 0)) marked.set(name, mark.version);
		}
		this.#marked = marked;
		this.#deletions = deletions;
		const after = this.state;
		if (before.docs !== after.docs || before.deletions !== after.deletions) this.#emit();
	}

	#emit(): void {
		const state = this.state;
		for (const listener of this.#listeners) listener(state);
	}
}
