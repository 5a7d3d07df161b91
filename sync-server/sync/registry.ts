import type * as Y from 'yjs';
import { replayUpdates } from '../../src/lib/core/compaction.js';
import type { DocName } from '../../src/lib/core/doc-names.js';
import {
	deletedChildren,
	listsSessions,
	sessionsOf
} from '../../src/lib/core/recorded-deletions.js';
import {
	docKey,
	splitDocKey,
	type Appended,
	type DocKey,
	type DocStorage
} from '../storage/types.js';
import type { Relay, RelayMessage } from '../cluster/relay.js';
import { PurgeBatch } from './purge-batch.js';
import { SerialQueue } from './serial-queue.js';
import { SharedDoc, type Applied, type Peer } from './shared-doc.js';

export interface RegistryOptions {
	/** How long a document stays loaded after its last peer left (R11). */
	unloadAfterMs: number;
	/**
	 * Compact a document's log into its snapshot once it holds this many updates and its bytes
	 * are a quarter of the snapshot's, or twenty times as many updates whatever their size [HD4].
	 */
	compactAfter: number;
	/** A document may take this many bytes in storage; more is refused [HD5]. */
	maxDocBytes?: number;
	/** All of an account's documents together; more is refused [HD5]. */
	maxAccountBytes?: number;
	/**
	 * Documents kept loaded without a peer (waiting out `unloadAfterMs`), per account and in all;
	 * past either, a document whose last peer leaves is unloaded at once [HD10].
	 */
	maxIdleDocsPerAccount?: number;
	maxIdleDocs?: number;
	log?: (message: string, error?: unknown) => void;
	/** A loaded document was let go of, so its memory can be reclaimed [HD13]. */
	onUnload?: () => void;
	/**
	 * Several instances: this instance's updates, presence and deletions go to the others, and
	 * theirs are applied to the documents loaded here (never stored here: their instance did).
	 */
	relay?: Relay;
}

/** The update is well-formed bytes but cannot be applied to this document. */
export class UpdateRejectedError extends Error {
	constructor() {
		super('update cannot be applied');
	}
}

/** Storing the update would take the document or the account over its quota [HD5]. */
export class QuotaExceededError extends Error {
	constructor(readonly scope: 'document' | 'account') {
		super(`the ${scope} is over its storage quota`);
	}
}

/** The account's work budget could not pay for applying an update [HD17]: nothing applied. */
export class WorkRefusedError extends Error {
	constructor() {
		super('the work budget is spent');
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
 * Loaded documents by key. Every load, apply, unload and purge of one document runs on that
 * document's queue, so they never interleave (R10) and nothing answers before the load. Appends
 * and compactions are requested but not awaited there: the storage orders them itself, and a
 * compaction changes no content, so the document keeps relaying meanwhile. An update is relayed
 * as soon as it applied, and its sender is acknowledged once its group commit is durable.
 */
export class DocRegistry {
	readonly #entries = new Map<DocKey, Entry>();
	/** Documents with a compaction requested and not done, so a long log asks only once. */
	readonly #compacting = new Set<DocKey>();
	/** Loaded documents with no peer, waiting to be unloaded, per account and in all [HD10]. */
	readonly #idle = new Map<string, number>();
	#idleTotal = 0;
	/** Bytes each account's documents take, read once from storage and then counted up. */
	readonly #accountBytes = new Map<string, number>();
	/** Delete requests, one at a time [HD12]. */
	readonly #deletions = new SerialQueue();

	constructor(
		readonly storage: DocStorage,
		readonly options: RegistryOptions
	) {
		options.relay?.onMessage((message) => this.#fromOtherInstance(message));
		options.relay?.onRecovered(() => void this.resync());
	}

	/**
	 * Another instance's change. It runs on the document's queue, so a message that arrives while
	 * the document loads is applied after the load (applying an update twice changes nothing).
	 */
	#fromOtherInstance(message: RelayMessage): void {
		if (message.kind === 'resync') return void this.resync();
		if (message.kind === 'stop') return;
		const entry = this.#entries.get(message.key);
		if (!entry) return;
		void entry.queue
			.run(async () => {
				const shared = entry.doc;
				if (!shared) return;
				if (message.kind === 'deleted') {
					this.#unset(message.key, entry);
					for (const peer of [...shared.peers.keys()]) peer.close('deleted');
					shared.destroy();
					return;
				}
				try {
					shared.applyRemote(message.kind, message.payload);
				} catch (error) {
					this.options.log?.('an update from another instance could not be applied', error);
					await this.#restore(shared);
				}
			})
			.finally(() => this.#scheduleUnloadIfIdle(message.key, entry));
	}

	/**
	 * Catches up every loaded document from storage (after the relay was away): what other
	 * instances stored meanwhile is applied, and the peers here receive only what they lack.
	 */
	async resync(): Promise<void> {
		await Promise.all(
			[...this.#entries.values()].map((entry) =>
				entry.queue.run(async () => {
					const shared = entry.doc;
					if (!shared) return;
					try {
						for (const update of await this.storage.load(shared.key)) {
							shared.applyRemote('update', update);
						}
					} catch (error) {
						this.options.log?.('catching up a document from storage failed', error);
					}
				})
			)
		);
	}

	/** Documents in memory right now. */
	get loadedCount(): number {
		let n = 0;
		for (const entry of this.#entries.values()) if (entry.doc) n++;
		return n;
	}

	/** Loads the document if needed and adds the peer; refuses deleted documents. */
	join(key: DocKey, peer: Peer): Promise<SharedDoc> {
		const entry = this.#entry(key);
		this.#cancelUnload(key, entry);
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
	 * Applies a client's update, relays it at once, and appends it. Resolves once it is durable
	 * (an update that changed nothing resolves at once; the caller orders acknowledgements). For
	 * an update that records a deletion it resolves only after the purge (R16). Rejects with
	 * UpdateRejectedError when it cannot be applied: nothing relayed or stored, memory rebuilt
	 * (R8). Rejects with the storage error when the append fails (R9): memory is rebuilt and
	 * every connection of the document is closed, so each client resyncs what was relayed.
	 */
	async store(
		shared: SharedDoc,
		origin: Peer,
		update: Uint8Array,
		/** Pays for what applying costs beyond the update itself, as the document is then. */
		pay?: (doc: SharedDoc) => boolean
	): Promise<void> {
		// The queue task only applies, relays and requests the append: it never waits for the
		// disk, so the next update of this document is relayed without waiting for this commit.
		const { durable } = await shared.queue.run(async () => {
			if (pay && !pay(shared)) throw new WorkRefusedError();
			const accountId = splitDocKey(shared.key).accountId;
			const accountBytes = await this.#accountUsage(accountId);
			// Refused before applying when even the bytes as sent do not fit, so a document at its
			// quota is not rebuilt for every refused update; what integrates is checked below.
			this.#checkQuota(shared.storedBytes, accountBytes, update.byteLength);
			let applied;
			try {
				// Applying is the real validation: a decodable update can still fail against this
				// document's content, and must then be neither relayed nor stored.
				applied = shared.apply(update, origin, (toStore) => {
					this.#checkQuota(shared.storedBytes, accountBytes, toStore.byteLength);
				});
			} catch (error) {
				await this.#restore(shared);
				if (error instanceof QuotaExceededError) throw error;
				this.options.log?.('an update could not be applied and was refused', error);
				throw new UpdateRejectedError();
			}
			return { durable: this.#persist(shared, applied) };
		});
		return durable;
	}

	/**
	 * Applies a change made on the server (a run writing its answer into a session) as if a peer
	 * had sent it: relayed at once, resolved once durable. Rejects with DocDeletedError when the
	 * document was deleted or unloaded since it was joined.
	 */
	async change(shared: SharedDoc, origin: Peer, apply: (doc: Y.Doc) => void): Promise<void> {
		const { durable } = await shared.queue.run(async () => {
			if (this.#entries.get(shared.key)?.doc !== shared) throw new DocDeletedError();
			return { durable: this.#persist(shared, shared.change(apply, origin)) };
		});
		return durable;
	}

	/** Throws QuotaExceededError when `adding` bytes would take either over its quota. */
	#checkQuota(docBytes: number, accountBytes: number, adding: number): void {
		const { maxDocBytes = Infinity, maxAccountBytes = Infinity } = this.options;
		if (docBytes + adding > maxDocBytes) throw new QuotaExceededError('document');
		if (accountBytes + adding > maxAccountBytes) throw new QuotaExceededError('account');
	}

	/**
	 * A compaction shrank a document: the account's known total shrinks with it. Counting the
	 * account again instead would sum every row it has, on this thread, after each compaction.
	 */
	#shrinkAccount(key: DocKey, freedBytes: number): void {
		const accountId = splitDocKey(key).accountId;
		const known = this.#accountBytes.get(accountId);
		if (known !== undefined) this.#accountBytes.set(accountId, known - freedBytes);
	}

	async #accountUsage(accountId: string): Promise<number> {
		const known = this.#accountBytes.get(accountId);
		if (known !== undefined) return known;
		const bytes = await this.storage.accountBytes(accountId);
		// A cache of figures storage can give again: bounded, refilled on demand.
		if (this.#accountBytes.size > 10_000) this.#accountBytes.clear();
		this.#accountBytes.set(accountId, bytes);
		return bytes;
	}

	#persist(shared: SharedDoc, { toStore, deletion }: Applied): Promise<void> {
		if (!toStore) return Promise.resolve();
		const accountId = splitDocKey(shared.key).accountId;
		const known = this.#accountBytes.get(accountId);
		if (known !== undefined) this.#accountBytes.set(accountId, known + toStore.byteLength);
		shared.storedBytes += toStore.byteLength;
		const append = this.storage.append(shared.key, toStore, { scrub: deletion });
		shared.track(toStore, append);
		return this.#afterAppend(shared, append, deletion);
	}

	async #afterAppend(
		shared: SharedDoc,
		append: Promise<Appended>,
		deletion: boolean
	): Promise<void> {
		let appended: Appended;
		try {
			appended = await append;
		} catch (error) {
			this.options.log?.('storing an update failed', error);
			void shared.queue.run(() => this.#storageFailed(shared));
			throw error;
		}
		// What storage says now (a compaction may have shrunk it), plus what is on its way there.
		shared.storedBytes = appended.logBytes + appended.snapshotBytes + shared.inflightBytes;
		if (deletion) await this.#scrub(shared.key);
		else if (this.#compactionDue(appended) && !this.#compacting.has(shared.key)) {
			const key = shared.key;
			this.#compacting.add(key);
			this.storage
				.compact(key)
				.then(
					(freed) => this.#shrinkAccount(key, freed),
					(error: unknown) => this.options.log?.('compaction failed', error)
				)
				.finally(() => this.#compacting.delete(key));
		}
	}

	/**
	 * A compaction re-encodes the whole document, so tiny updates to a large one must not ask for
	 * it every 200 appends: it waits until the log's bytes are a quarter of the snapshot's, so
	 * its cost is paid for by the bytes appended; a very long log is compacted anyway [HD4].
	 */
	#compactionDue({ logLength, logBytes, snapshotBytes }: Appended): boolean {
		const { compactAfter } = this.options;
		if (logLength < compactAfter) return false;
		return logBytes * 4 >= snapshotBytes || logLength >= compactAfter * 20;
	}

	/**
	 * A deletion was stored in `key` (R16): purge the documents it condemns, then fold the
	 * document's history into a garbage-collected snapshot and clear the files of the old bytes,
	 * so the deleted titles, names and text are gone from the server before the deletion is
	 * acknowledged. Idempotent; also run at start for scrubs a crash interrupted.
	 */
	async #scrub(key: DocKey): Promise<void> {
		const { accountId, docName } = splitDocKey(key);
		const children = await this.#readDoc(key, (doc) => deletedChildren(docName, doc));
		for (const child of children) {
			const childKey = docKey(accountId, child);
			if (!(await this.storage.isDeleted(childKey))) await this.delete(childKey);
		}
		this.#shrinkAccount(key, await this.storage.compact(key, { scrub: true }));
	}

	/** Finishes the scrubs a crash interrupted; called once at start, before serving. */
	async recover(): Promise<void> {
		for (const key of await this.storage.pendingScrubs()) await this.#scrub(key);
	}

	/** Purges the document and tombstones it, closing every live connection to it (R16). */
	delete(key: DocKey): Promise<void> {
		return this.deleteMany([key]);
	}

	/**
	 * Purges the documents and tombstones them, closing every live connection to them (R16). A
	 * project takes every session it lists (live or deleted) with it, so the server does not depend
	 * on a client knowing them all. All of them go in one storage call (one commit, one scrub of the
	 * files), so a crash cannot orphan a session, and deletions run one at a time server-wide, so
	 * requests in parallel cannot pile up scrubs in front of everyone's appends [HD12].
	 */
	deleteMany(keys: readonly DocKey[]): Promise<void> {
		return this.#deletions.run(async () => {
			const batch = new PurgeBatch((all) => this.storage.purgeMany(all));
			for (const key of keys) batch.join(key, () => this.#remove(batch, key));
			await batch.settled();
		});
	}

	/** One document of a batch: calls `batch.ready` or `batch.withdraw` exactly once. */
	async #remove(batch: PurgeBatch, key: DocKey): Promise<void> {
		const { accountId, docName } = splitDocKey(key);
		const condemn = (names: DocName[]) => {
			for (const name of names) {
				const child = docKey(accountId, name);
				batch.join(child, () => this.#remove(batch, child));
			}
		};
		let arrived = false;
		const entry = this.#entry(key);
		try {
			// Only a project lists sessions: other documents are not read from storage at all.
			if (listsSessions(docName)) {
				condemn(await this.#readDoc(key, (doc) => sessionsOf(docName, doc)));
			}
			await entry.queue
				.run(async () => {
					const doc = entry.doc;
					// Appends already requested land first, so none of them fails against the tombstone.
					await doc?.settled();
					// Sessions added since the read.
					if (doc) condemn(sessionsOf(docName, doc.doc));
					arrived = true;
					await batch.ready(key);
					this.#accountBytes.delete(accountId);
					this.options.relay?.publish({ kind: 'deleted', key });
					this.#unset(key, entry);
					if (doc) {
						for (const peer of [...doc.peers.keys()]) peer.close('deleted');
						doc.destroy();
					}
				})
				.finally(() => this.#scheduleUnloadIfIdle(key, entry));
		} catch (error) {
			if (!arrived) batch.withdraw();
			throw error;
		}
	}

	/** Unloads everything now (shutdown and tests): waits for queued work and appends first. */
	async close(): Promise<void> {
		await Promise.all(
			[...this.#entries].map(([key, entry]) =>
				entry.queue.run(async () => {
					this.#cancelUnload(key, entry);
					await entry.doc?.settled();
					entry.doc?.destroy();
					this.#unset(key, entry);
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
		const relay = this.options.relay;
		// Watched before it is read: what other instances change meanwhile waits on the queue.
		await relay?.watch(key);
		let updates: Uint8Array[];
		try {
			updates = await this.storage.load(key);
		} catch (error) {
			relay?.unwatch(key);
			throw error;
		}
		return new SharedDoc(
			key,
			queue,
			updates,
			(error) => this.options.log?.('a stored update could not be applied and was skipped', error),
			relay && ((kind, payload) => relay.publish({ kind, key, payload }))
		);
	}

	/** Reads a document on its queue: the loaded copy, or a temporary one from storage. */
	#readDoc<T>(key: DocKey, read: (doc: Y.Doc) => T): Promise<T> {
		const entry = this.#entry(key);
		return entry.queue
			.run(async () => {
				if (entry.doc) return read(entry.doc.doc);
				const doc = replayUpdates(await this.storage.load(key), { onBadUpdate: () => {} });
				try {
					return read(doc);
				} finally {
					doc.destroy();
				}
			})
			.finally(() => this.#scheduleUnloadIfIdle(key, entry));
	}

	/**
	 * Brings memory back to storage plus the appends still in flight, after an update was applied
	 * halfway. If storage cannot even be read, the document is dropped (its peers reconnect
	 * later): memory must never hold state that storage and the appends on their way do not.
	 */
	async #restore(shared: SharedDoc): Promise<void> {
		try {
			shared.rebuild([...(await this.storage.load(shared.key)), ...shared.inflight]);
		} catch (error) {
			this.options.log?.('reloading a document failed; unloading it', error);
			this.#drop(shared);
		}
	}

	/**
	 * An append failed (R9). The update was relayed already, so other devices may hold it: every
	 * connection of the document is closed with 4503 and each client's next sync step 2 brings
	 * back whatever the server lacks, the sender's unacknowledged update included.
	 */
	async #storageFailed(shared: SharedDoc): Promise<void> {
		const entry = this.#entries.get(shared.key);
		if (entry?.doc !== shared) return;
		await this.#restore(shared);
		for (const peer of [...shared.peers.keys()]) peer.close('storageFailed');
	}

	#drop(shared: SharedDoc): void {
		const entry = this.#entries.get(shared.key);
		for (const peer of [...shared.peers.keys()]) peer.close('storageFailed');
		shared.destroy();
		if (entry?.doc === shared) this.#unset(shared.key, entry);
	}

	/** The document leaves memory: other instances' changes to it need not come here any more. */
	#unset(key: DocKey, entry: Entry): void {
		entry.doc = undefined;
		this.options.relay?.unwatch(key);
	}

	#scheduleUnloadIfIdle(key: DocKey, entry: Entry): void {
		if (entry.joining > 0 || (entry.doc && entry.doc.peers.size > 0) || entry.timer) return;
		// One account opening and closing many documents cannot keep them all in memory for the
		// idle time: past the budget, a document goes as soon as its last peer left.
		const accountId = splitDocKey(key).accountId;
		const idle = this.#idle.get(accountId) ?? 0;
		const { maxIdleDocsPerAccount = Infinity, maxIdleDocs = Infinity } = this.options;
		const overBudget = idle >= maxIdleDocsPerAccount || this.#idleTotal >= maxIdleDocs;
		this.#idle.set(accountId, idle + 1);
		this.#idleTotal++;
		entry.timer = setTimeout(
			() => {
				entry.timer = undefined;
				this.#notIdle(accountId);
				void entry.queue.run(() => this.#unloadIfIdle(key, entry));
			},
			overBudget ? 0 : this.options.unloadAfterMs
		);
		entry.timer.unref?.();
	}

	#notIdle(accountId: string): void {
		this.#idleTotal--;
		const left = (this.#idle.get(accountId) ?? 1) - 1;
		if (left > 0) this.#idle.set(accountId, left);
		else this.#idle.delete(accountId);
	}

	/** Cancels a pending unload (a peer came back, or the registry closes). */
	#cancelUnload(key: DocKey, entry: Entry): void {
		if (!entry.timer) return;
		clearTimeout(entry.timer);
		entry.timer = undefined;
		this.#notIdle(splitDocKey(key).accountId);
	}

	/** Runs on the document's queue once its appends settled: memory holds nothing unsaved. */
	async #unloadIfIdle(key: DocKey, entry: Entry): Promise<void> {
		await entry.doc?.settled();
		if (entry.joining > 0 || (entry.doc && entry.doc.peers.size > 0)) return;
		if (entry.doc) {
			entry.doc.destroy();
			this.#unset(key, entry);
			this.options.onUnload?.();
		}
		// Only forget the queue when nothing else waits on it, so the next task for this key
		// cannot start on a fresh queue while an old one still runs.
		if (entry.queue.pending <= 1 && this.#entries.get(key) === entry) this.#entries.delete(key);
	}
}
