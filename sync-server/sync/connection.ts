import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
	decodeFrame,
	encodeFrame,
	FrameError,
	type SyncFrame
} from '../../src/lib/core/sync-codec.js';
import { closeCode, type CloseReason } from '../../src/lib/core/sync-protocol.js';
import type { DocKey } from '../storage/types.js';
import { connectionLimiter, type RateLimits } from './rate-limit.js';
import { DocDeletedError, UpdateRejectedError, type DocRegistry } from './registry.js';
import { awarenessFrame, type Peer, type SharedDoc } from './shared-doc.js';

/** The little a connection needs from a socket, so tests can pass an in-memory one. */
export interface SocketLike {
	send(data: Uint8Array): void;
	close(code: number, reason: string): void;
}

export interface ConnectionOptions {
	/** The client offered `tether.v1`: it understands `stored` acknowledgements. */
	acks: boolean;
	limits: RateLimits;
	maxMessageBytes: number;
	maxAwarenessBytes: number;
	/** Frames waiting for the document (load) or for the disk; more than this is a flood. */
	maxQueuedFrames: number;
	log?: (message: string, error?: unknown) => void;
}

/**
 * One client socket on one document: checks each frame (size, rate, shape) before anything
 * touches the document, answers sync messages, and acknowledges what is stored, in order.
 */
export class SyncConnection implements Peer {
	#shared: SharedDoc | undefined;
	#early: SyncFrame[] = [];
	#queued = 0;
	#stored = 0;
	/**
	 * Settles after every sync message received so far is durable (true) or one failed (false).
	 * Each acknowledgement waits on it, so acks stay in order even when a later message (one that
	 * changed nothing) is done before an earlier one's commit.
	 */
	#acked: Promise<boolean> = Promise.resolve(true);
	#closed = false;
	readonly #allow: (size: number) => boolean;

	constructor(
		readonly socket: SocketLike,
		readonly key: DocKey,
		readonly registry: DocRegistry,
		readonly options: ConnectionOptions
	) {
		this.#allow = connectionLimiter(options.limits);
	}

	/** Joins the document; frames that arrive meanwhile wait, so nothing is answered before load. */
	async start(): Promise<void> {
		let shared: SharedDoc;
		try {
			shared = await this.registry.join(this.key, this);
		} catch (error) {
			if (error instanceof DocDeletedError) this.close('deleted');
			else {
				this.options.log?.('loading a document failed', error);
				this.close('storageFailed');
			}
			return;
		}
		if (this.#closed) {
			this.registry.leave(shared, this);
			return;
		}
		this.#shared = shared;
		this.send(encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(shared.doc) }));
		const present = [...shared.awareness.getStates().keys()];
		if (present.length > 0) this.send(awarenessFrame(shared.awareness, present));
		const early = this.#early.splice(0);
		this.#queued -= early.length;
		for (const frame of early) this.#handle(shared, frame);
	}

	receive(data: Uint8Array): void {
		if (this.#closed) return;
		if (data.byteLength > this.options.maxMessageBytes) return this.close('tooLarge');
		if (!this.#allow(data.byteLength)) return this.close('rateLimited');
		let frame: SyncFrame;
		try {
			frame = decodeFrame(data, {
				from: 'client',
				checkPayloads: true,
				maxAwarenessBytes: this.options.maxAwarenessBytes
			});
		} catch (error) {
			if (!(error instanceof FrameError)) throw error;
			return this.close('malformed');
		}
		if (this.#queued >= this.options.maxQueuedFrames) return this.close('rateLimited');
		if (this.#shared) this.#handle(this.#shared, frame);
		else {
			this.#queued++;
			this.#early.push(frame);
		}
	}

	/** The socket closed (either side): leave the document. Requested appends still land. */
	closed(): void {
		this.#closed = true;
		if (this.#shared) this.registry.leave(this.#shared, this);
	}

	send(frame: Uint8Array): void {
		if (!this.#closed) this.socket.send(frame);
	}

	close(reason: CloseReason): void {
		if (this.#closed) return;
		const { code, reason: text } = closeCode[reason];
		this.socket.close(code, text);
		this.closed();
	}

	#handle(shared: SharedDoc, frame: SyncFrame): void {
		switch (frame.kind) {
			case 'step2':
			case 'update':
				return this.#store(shared, frame.update);
			case 'step1':
				this.#queued++;
				// On the queue, so the answer includes every update applied before it.
				void shared.queue.run(() => {
					this.#queued--;
					const update = Y.encodeStateAsUpdate(shared.doc, frame.stateVector);
					this.send(encodeFrame({ kind: 'step2', update }));
				});
				return;
			case 'awareness':
				awarenessProtocol.applyAwarenessUpdate(shared.awareness, frame.update, this);
				return;
			case 'query-awareness':
				this.send(awarenessFrame(shared.awareness, [...shared.awareness.getStates().keys()]));
				return;
			case 'stored':
			case 'auth':
				// decodeFrame refuses these from a client.
				return;
		}
	}

	#store(shared: SharedDoc, update: Uint8Array): void {
		this.#queued++;
		const durable = this.registry.store(shared, this, update);
		durable.then(
			() => this.#queued--,
			(error: unknown) => {
				this.#queued--;
				if (error instanceof UpdateRejectedError) return this.close('malformed');
				// Nothing was acknowledged; the client keeps the update and re-sends it.
				this.close('storageFailed');
			}
		);
		this.#acked = Promise.all([this.#acked, durable]).then(
			([before]) => {
				if (!before) return false;
				this.#stored++;
				if (this.options.acks) this.send(encodeFrame({ kind: 'stored', count: this.#stored }));
				return true;
			},
			() => false
		);
	}
}
