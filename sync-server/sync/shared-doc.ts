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
 * One loaded document: its Y.Doc (which never holds anything storage does not, because updates
 * are stored before they are applied), its awareness and its peers. Relays every applied update
 * to every peer but the one it came from.
 */
export class SharedDoc {
	readonly doc = new Y.Doc({ gc: true });
	readonly awareness = new awarenessProtocol.Awareness(this.doc);
	/** Each peer with the awareness client ids it announced, removed when it leaves. */
	readonly peers = new Map<Peer, Set<number>>();

	constructor(
		readonly key: DocKey,
		readonly queue: SerialQueue
	) {
		// The server has no presence of its own.
		this.awareness.setLocalState(null);
		this.doc.on('update', this.#relayUpdate);
		this.awareness.on('update', this.#relayAwareness);
	}

	#relayUpdate = (update: Uint8Array, origin: unknown) => {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageType.sync);
		encoding.writeVarUint(encoder, syncStep.update);
		encoding.writeVarUint8Array(encoder, update);
		const frame = encoding.toUint8Array(encoder);
		for (const peer of this.peers.keys()) if (peer !== origin) peer.send(frame);
	};

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
		this.doc.off('update', this.#relayUpdate);
		this.awareness.off('update', this.#relayAwareness);
		this.awareness.destroy();
		this.doc.destroy();
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
