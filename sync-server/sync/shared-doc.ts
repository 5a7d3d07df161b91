import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { replayUpdates } from '../../src/lib/core/compaction.js';
import { recordsDeletion } from '../../src/lib/core/recorded-deletions.js';
import { encodeFrame } from '../../src/lib/core/sync-codec.js';
import type { CloseReason } from '../../src/lib/core/sync-protocol.js';
import type { DocKey } from '../storage/types.js';
import type { SerialQueue } from './serial-queue.js';

/** A connection as a document sees it. */
export interface Peer {
	send(frame: Uint8Array): void;
	close(reason: CloseReason): void;
}

/**
 * The origin of changes that came from another instance (through the relay): relayed to this
 * instance's peers, never published again and never stored here (their instance stores them).
 */
export const fromOtherInstance = Symbol('another instance');

/** Where this instance's own changes go so other instances can relay them (see cluster/). */
export type Publish = (kind: 'update' | 'awareness', payload: Uint8Array) => void;

/** What applying a client's update changed, and what to store for it. */
export interface Applied {
	/** The bytes to append; null when the update changed nothing (nothing to store or relay). */
	toStore: Uint8Array | null;
	/** It added an entry to `deletedSessions` or `deletedProjects`, or removed a file: a scrub follows (R16). */
	deletion: boolean;
}

/**
 * One loaded document: its Y.Doc, its awareness and its peers. A client's update is applied with
 * its relay held back until it applied whole, then relayed at once; its append to storage runs
 * after (relay first, [SY2]), and until it is durable the update is kept here as in flight, so
 * memory can be rebuilt as storage plus what is still on its way there.
 */
export class SharedDoc {
	#doc: Y.Doc;
	/** Set while a client's update is being applied: the updates its transaction emitted. */
	#held: { updates: Uint8Array[]; deletion: boolean } | null = null;
	/** Applied and relayed, append not yet durable. */
	readonly #inflight = new Set<{ update: Uint8Array; durable: Promise<unknown> }>();
	// Presence has its own little doc, so the content doc can be rebuilt without touching it.
	readonly awareness: awarenessProtocol.Awareness;
	/** The whole state encoded, kept until the next change: what every fresh device asks for. */
	#fullState: Uint8Array | null = null;
	/** Bytes this document takes in storage: what it loaded plus what was appended since [HD5]. */
	storedBytes: number;
	/** Each peer with the awareness client ids it announced, removed when it leaves. */
	readonly peers = new Map<Peer, Set<number>>();

	constructor(
		readonly key: DocKey,
		readonly queue: SerialQueue,
		updates: Uint8Array[],
		readonly onBadUpdate?: (error: unknown) => void,
		readonly publish?: Publish
	) {
		this.#doc = replayUpdates(updates, { guid: key, onBadUpdate: (error) => onBadUpdate?.(error) });
		this.storedBytes = updates.reduce((n, update) => n + update.byteLength, 0);
		this.awareness = new awarenessProtocol.Awareness(new Y.Doc({ guid: `${key}#presence` }));
		this.#doc.on('update', this.#onUpdate);
		// The server has no presence of its own.
		this.awareness.setLocalState(null);
		this.awareness.on('update', this.#relayAwareness);
	}

	get doc(): Y.Doc {
		return this.#doc;
	}

	/** Structs the document holds (deleted ones too): what rebuilding it integrates again. */
	get structCount(): number {
		let count = 0;
		for (const structs of this.#doc.store.clients.values()) count += structs.length;
		return count;
	}

	/**
	 * Bytes of updates that wait for something this document lacks. Yjs merges every later update
	 * into them and retries them all, so while they wait each update costs this much again.
	 */
	get pendingBytes(): number {
		const store = this.#doc.store;
		return (store.pendingStructs?.update.byteLength ?? 0) + (store.pendingDs?.byteLength ?? 0);
	}

	/**
	 * Applies a client's update and relays what it changed to the other peers at once. Returns what
	 * to store: what the document integrated (so content a deletion already removed, e.g. a stale
	 * device renaming a deleted session, never reaches the disk), or the bytes as sent when parts
	 * of them wait for something this document lacks. Throws, having relayed nothing, when the
	 * update cannot be applied; the document may then be half-changed and must be rebuilt.
	 */
	apply(update: Uint8Array, origin: Peer, accept?: (toStore: Uint8Array) => void): Applied {
		const store = this.#doc.store;
		const pendingBefore = store.pendingStructs?.update;
		const pendingDsBefore = store.pendingDs;
		const held = { updates: [] as Uint8Array[], deletion: false };
		this.#held = held;
		try {
			Y.applyUpdate(this.#doc, update, origin);
		} finally {
			this.#held = null;
		}
		const waiting =
			(store.pendingStructs !== null && store.pendingStructs.update !== pendingBefore) ||
			(store.pendingDs !== null && store.pendingDs !== pendingDsBefore);
		let toStore: Uint8Array | null;
		if (waiting) toStore = update;
		else if (held.updates.length === 0) toStore = null;
		else toStore = held.updates.length === 1 ? held.updates[0]! : Y.mergeUpdates(held.updates);
		// `accept` may refuse (a quota) by throwing: nothing relayed yet, the caller rebuilds.
		if (toStore) accept?.(toStore);
		for (const effective of held.updates) this.#relay(effective, origin);
		return { toStore, deletion: held.deletion };
	}

	/**
	 * Applies a change made on the server itself (a run writing its answer) and relays it like a
	 * client's update; returns what to store for it.
	 */
	change(apply: (doc: Y.Doc) => void, origin: Peer): Applied {
		const held = { updates: [] as Uint8Array[], deletion: false };
		this.#held = held;
		try {
			this.#doc.transact(() => apply(this.#doc), origin);
		} finally {
			this.#held = null;
		}
		for (const effective of held.updates) this.#relay(effective, origin);
		const toStore =
			held.updates.length === 0
				? null
				: held.updates.length === 1
					? held.updates[0]!
					: Y.mergeUpdates(held.updates);
		return { toStore, deletion: held.deletion };
	}

	/**
	 * What a peer with `stateVector` lacks (a sync step 2). An empty state vector, or one that
	 * knows nothing of this document, gets the cached whole state: thirty such requests cost one
	 * encoding, not thirty [HD3].
	 */
	stateAsUpdate(stateVector: Uint8Array): Uint8Array {
		let knowsNothing = true;
		for (const [client, clock] of Y.decodeStateVector(stateVector)) {
			if (clock > 0 && this.#doc.store.clients.has(client)) {
				knowsNothing = false;
				break;
			}
		}
		if (!knowsNothing) return Y.encodeStateAsUpdate(this.#doc, stateVector);
		this.#fullState ??= Y.encodeStateAsUpdate(this.#doc);
		return this.#fullState;
	}

	/** Remembers an applied update until its append settles (either way). */
	track(update: Uint8Array, durable: Promise<unknown>): void {
		const entry = { update, durable };
		this.#inflight.add(entry);
		const forget = () => this.#inflight.delete(entry);
		durable.then(forget, forget);
	}

	/** Updates applied (and relayed) whose append has not settled yet, in order. */
	get inflight(): Uint8Array[] {
		return [...this.#inflight].map((entry) => entry.update);
	}

	/** Bytes of the appends not settled yet. */
	get inflightBytes(): number {
		let bytes = 0;
		for (const entry of this.#inflight) bytes += entry.update.byteLength;
		return bytes;
	}

	/** Resolves once every append requested so far has settled, stored or failed. */
	async settled(): Promise<void> {
		while (this.#inflight.size > 0) {
			await Promise.allSettled([...this.#inflight].map((entry) => entry.durable));
		}
	}

	/** Replaces the content by `updates` (storage, then what is still in flight). */
	rebuild(updates: Uint8Array[]): void {
		const next = replayUpdates(updates, {
			guid: this.key,
			onBadUpdate: (error) => this.onBadUpdate?.(error)
		});
		this.#doc.off('update', this.#onUpdate);
		this.#doc.destroy();
		this.#fullState = null;
		this.storedBytes = updates.reduce((n, update) => n + update.byteLength, 0);
		this.#doc = next;
		next.on('update', this.#onUpdate);
	}

	#onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
		this.#fullState = null;
		if (this.#held) {
			this.#held.updates.push(update);
			if (recordsDeletion(transaction)) this.#held.deletion = true;
		} else this.#relay(update, origin);
	};

	/**
	 * Applies an update or presence from another instance: relayed to this instance's peers (only
	 * what is new here), not stored. A bad one is dropped; this copy is rebuilt from storage.
	 */
	applyRemote(kind: 'update' | 'awareness', payload: Uint8Array): void {
		if (kind === 'update') Y.applyUpdate(this.#doc, payload, fromOtherInstance);
		else awarenessProtocol.applyAwarenessUpdate(this.awareness, payload, fromOtherInstance);
	}

	#relay(update: Uint8Array, origin: unknown): void {
		if (origin !== fromOtherInstance) this.publish?.('update', update);
		if (this.peers.size < 2 && this.peers.has(origin as Peer)) return;
		const frame = encodeFrame({ kind: 'update', update });
		for (const peer of this.peers.keys()) if (peer !== origin) peer.send(frame);
	}

	#relayAwareness = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	) => {
		const changed = [...added, ...updated, ...removed];
		if (origin !== fromOtherInstance && this.publish && changed.length > 0) {
			this.publish('awareness', awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
		}
		const own = this.peers.get(origin as Peer);
		if (own) {
			for (const id of added) own.add(id);
			for (const id of removed) own.delete(id);
		}
		if (this.peers.size < 2 && own) return;
		const frame = awarenessFrame(this.awareness, changed);
		for (const peer of this.peers.keys()) if (peer !== origin) peer.send(frame);
	};

	/** Forgets a peer and the presence it announced. */
	removePeer(peer: Peer): void {
		const ids = this.peers.get(peer);
		this.peers.delete(peer);
		if (ids && ids.size > 0)
			awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
	}

	destroy(): void {
		this.#fullState = null;
		this.#doc.off('update', this.#onUpdate);
		this.awareness.off('update', this.#relayAwareness);
		this.awareness.destroy();
		this.#doc.destroy();
	}
}

export function awarenessFrame(
	awareness: awarenessProtocol.Awareness,
	clients: number[]
): Uint8Array {
	return encodeFrame({
		kind: 'awareness',
		update: awarenessProtocol.encodeAwarenessUpdate(awareness, clients)
	});
}
