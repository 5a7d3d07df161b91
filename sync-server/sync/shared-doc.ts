import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { CloseReason } from '../../src/lib/core/sync-protocol.js';
import { messageType } from '../../src/lib/core/sync-protocol.js';
import type { DocKey } from '../storage/types.js';
import { syncStep } from './frames.js';
import type { SerialQueue } from './serial-queue.js';

/** A connection as a document sees it. */
export interface Peer {
	send(frame: Uint8Array): void;
	close(reason: CloseReason): void;
}

/**
 * One loaded document: its Y.Doc, its awareness and its peers. Every applied update is relayed
 * to every peer but the one it came from; updates from clients are applied with their relay held
 * back until storage has them (`applyHeld`), so nothing reaches another device before the disk.
 */
export class SharedDoc {
	#doc: Y.Doc;
	/** Held relays while an incoming update is applied but not yet stored. */
	#held: Uint8Array[] | null = null;
	// Presence has its own little doc, so the content doc can be rebuilt without touching it.
	readonly awareness = new awarenessProtocol.Awareness(new Y.Doc());
	/** Each peer with the awareness client ids it announced, removed when it leaves. */
	readonly peers = new Map<Peer, Set<number>>();

	constructor(
		readonly key: DocKey,
		readonly queue: SerialQueue,
		updates: Uint8Array[],
		readonly onBadUpdate?: (error: unknown) => void
	) {
		this.#doc = buildDoc(updates, onBadUpdate);
		this.#doc.on('update', this.#onUpdate);
		// The server has no presence of its own.
		this.awareness.setLocalState(null);
		this.awareness.on('update', this.#relayAwareness);
	}

	get doc(): Y.Doc {
		return this.#doc;
	}

	/**
	 * Applies a client's update, holding back its relay: call the returned function once the
	 * update is stored. If applying throws, the document may be half-changed: rebuild it.
	 */
	applyHeld(update: Uint8Array, origin: Peer): () => void {
		const held: Uint8Array[] = [];
		this.#held = held;
		try {
			Y.applyUpdate(this.#doc, update, origin);
		} finally {
			this.#held = null;
		}
		return () => {
			for (const effective of held) this.#relay(effective, origin);
		};
	}

	/** Replaces the content by what storage holds, dropping anything applied but not stored. */
	rebuild(updates: Uint8Array[]): void {
		const next = buildDoc(updates, this.onBadUpdate);
		this.#doc.off('update', this.#onUpdate);
		this.#doc.destroy();
		this.#doc = next;
		next.on('update', this.#onUpdate);
	}

	#onUpdate = (update: Uint8Array, origin: unknown) => {
		if (this.#held) this.#held.push(update);
		else this.#relay(update, origin);
	};

	#relay(update: Uint8Array, origin: unknown): void {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageType.sync);
		encoding.writeVarUint(encoder, syncStep.update);
		encoding.writeVarUint8Array(encoder, update);
		const frame = encoding.toUint8Array(encoder);
		for (const peer of this.peers.keys()) if (peer !== origin) peer.send(frame);
	}

	#relayAwareness = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	) => {
		const own = this.peers.get(origin as Peer);
		if (own) {
			for (const id of added) own.add(id);
			for (const id of removed) own.delete(id);
		}
		const changed = [...added, ...updated, ...removed];
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
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageType.awareness);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

/** A garbage-collecting doc from stored updates; one that cannot be applied is skipped. */
function buildDoc(updates: Uint8Array[], onBadUpdate?: (error: unknown) => void): Y.Doc {
	const doc = new Y.Doc({ gc: true });
	for (const update of updates) {
		try {
			Y.applyUpdate(doc, update);
		} catch (error) {
			onBadUpdate?.(error);
		}
	}
	return doc;
}
