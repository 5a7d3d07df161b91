import type { DocKey, DocStorage } from '../storage/types.js';
import { isRedundant } from './redundant.js';
import { SerialQueue } from './serial-queue.js';
import { SharedDoc, type Peer } from './shared-doc.js';

export interface RegistryOptions {
	/** How long a document stays loaded after its last peer left (R11). */
	unloadAfterMs: number;
	/** Compact a document's log into its snapshot once it holds this many updates. */
	compactAfter: number;
	log?: (message: string, error?: unknown) => void;
}

/** The update is well-formed bytes but cannot be applied to this document. */
export class UpdateRejectedError extends Error {
	constructor() {
		super('update cannot be applied');
	}
}

export class DocDeletedError extends Error {
	constructor() {
		super('document deleted');
	}
}

interface Entry {
	queue: SerialQueue;
	doc: SharedDoc | undefined;
	timer: ReturnType<typeof setTimeout> | undefined;
	/** Joins queued but not yet done: an unload must not run ahead of them. */
	joining: number;
}

/**
 * Loaded documents by key. Every load, store, unload and purge of one document runs on that
 * document's queue, so they never interleave (R10) and nothing answers before the load is done.
 */
export class DocRegistry {
	readonly #entries = new Map<DocKey, Entry>();

	constructor(
		readonly storage: DocStorage,
		readonly options: RegistryOptions
	) {}

	/** Documents in memory right now. */
	get loadedCount(): number {
		let n = 0;
		for (const entry of this.#entries.values()) if (entry.doc) n++;
		return n;
	}

	/** Loads the document if needed and adds the peer; refuses deleted documents. */
	join(key: DocKey, peer: Peer): Promise<SharedDoc> {
		const entry = this.#entry(key);
		clearTimeout(entry.timer);
		entry.timer = undefined;
		entry.joining++;
		return entry.queue
			.run(async () => {
				if (await this.storage.isDeleted(key)) throw new DocDeletedError();
				entry.doc ??= await this.#load(key, entry.queue);
				entry.doc.peers.set(peer, new Set());
				return entry.doc;
			})
			.finally(() => {
				entry.joining--;
				this.#scheduleUnloadIfIdle(key, entry);
			});
	}

	leave(shared: SharedDoc, peer: Peer): void {
		shared.removePeer(peer);
		const entry = this.#entries.get(shared.key);
		if (entry?.doc === shared) this.#scheduleUnloadIfIdle(shared.key, entry);
	}

	/**
	 * Applies an update with its relay held, stores it, then relays it to the other peers.
	 * Resolves once it is on disk (or was already there). Rejects with nothing stored, relayed or
	 * left in memory when it cannot be applied (UpdateRejectedError, R8) or storage fails (R9).
	 */
	store(shared: SharedDoc, origin: Peer, update: Uint8Array): Promise<void> {
		return shared.queue.run(async () => {
			if (isRedundant(shared.doc, update)) return;
			let relay: () => void;
			try {
				// Applying first is the real validation: a decodable update can still fail to
				// integrate against this document's content, and must then never be stored.
				relay = shared.applyHeld(update, origin);
			} catch (error) {
				this.options.log?.('an update could not be applied and was refused', error);
				await this.#restore(shared);
				throw new UpdateRejectedError();
			}
			let logLength: number;
			try {
				({ logLength } = await this.storage.append(shared.key, update));
			} catch (error) {
				await this.#restore(shared);
				throw error;
			}
			relay();
			if (logLength >= this.options.compactAfter) {
				shared.queue
					.run(() => this.storage.compact(shared.key))
					.catch((error: unknown) => this.options.log?.('compaction failed', error));
			}
		});
	}

	/** Purges the document and its tombstone-to-be, closing every live connection to it (R16). */
	delete(key: DocKey): Promise<void> {
		const entry = this.#entry(key);
		return entry.queue
			.run(async () => {
				await this.storage.purge(key);
				const doc = entry.doc;
				entry.doc = undefined;
				if (doc) {
					for (const peer of [...doc.peers.keys()]) peer.close('deleted');
					doc.destroy();
				}
			})
			.finally(() => this.#scheduleUnloadIfIdle(key, entry));
	}

	/** Unloads everything now (shutdown and tests): waits for queued work first. */
	async close(): Promise<void> {
		await Promise.all(
			[...this.#entries.values()].map((entry) =>
				entry.queue.run(() => {
					clearTimeout(entry.timer);
					entry.doc?.destroy();
					entry.doc = undefined;
				})
			)
		);
		this.#entries.clear();
	}

	#entry(key: DocKey): Entry {
		let entry = this.#entries.get(key);
		if (!entry) {
			entry = { queue: new SerialQueue(), doc: undefined, timer: undefined, joining: 0 };
			this.#entries.set(key, entry);
		}
		return entry;
	}

	async #load(key: DocKey, queue: SerialQueue): Promise<SharedDoc> {
		const updates = await this.storage.load(key);
		return new SharedDoc(key, queue, updates, (error) =>
			this.options.log?.('a stored update could not be applied and was skipped', error)
		);
	}

	/**
	 * Brings memory back to what storage holds after an update was applied but not stored. If
	 * storage cannot even be read, the document is dropped (its peers reconnect later): memory
	 * must never hold state that storage does not.
	 */
	async #restore(shared: SharedDoc): Promise<void> {
		try {
			shared.rebuild(await this.storage.load(shared.key));
		} catch (error) {
			this.options.log?.('reloading a document failed; unloading it', error);
			const entry = this.#entries.get(shared.key);
			for (const peer of [...shared.peers.keys()]) peer.close('storageFailed');
			shared.destroy();
			if (entry?.doc === shared) entry.doc = undefined;
		}
	}

	#scheduleUnloadIfIdle(key: DocKey, entry: Entry): void {
		if (entry.joining > 0 || (entry.doc && entry.doc.peers.size > 0) || entry.timer) return;
		entry.timer = setTimeout(() => {
			entry.timer = undefined;
			void entry.queue.run(() => this.#unloadIfIdle(key, entry));
		}, this.options.unloadAfterMs);
		entry.timer.unref?.();
	}

	/** Runs on the document's queue, so no store is in flight: memory holds nothing unsaved. */
	#unloadIfIdle(key: DocKey, entry: Entry): void {
		if (entry.joining > 0 || (entry.doc && entry.doc.peers.size > 0)) return;
		entry.doc?.destroy();
		entry.doc = undefined;
		// Only forget the queue when nothing else waits on it, so the next task for this key
		// cannot start on a fresh queue while an old one still runs.
		if (entry.queue.pending <= 1 && this.#entries.get(key) === entry) this.#entries.delete(key);
	}
}
