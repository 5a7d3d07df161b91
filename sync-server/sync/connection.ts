import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { closeCode, messageType, type CloseReason } from '../../src/lib/core/sync-protocol.js';
import type { DocKey } from '../storage/types.js';
import { decodeFrame, FrameError, syncStep, type Frame } from './frames.js';
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
	/** Frames waiting for the document (load) or for the queue; more than this is a flood. */
	maxQueuedFrames: number;
	log?: (message: string, error?: unknown) => void;
}

/**
 * One client socket on one document: checks each frame (size, rate, shape) before anything
 * touches the document, answers sync messages, and acknowledges what is stored.
 */
export class SyncConnection implements Peer {
	#shared: SharedDoc | undefined;
	#early: Frame[] = [];
	#queued = 0;
	#stored = 0;
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
		this.#sendStep1(shared);
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
		let frame: Frame;
		try {
			frame = decodeFrame(data, this.options.maxAwarenessBytes);
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

	/** The socket closed (either side): leave the document. Queued updates are still stored. */
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

	#handle(shared: SharedDoc, frame: Frame): void {
		switch (frame.kind) {
			case 'update':
				this.#queued++;
				this.registry.store(shared, this, frame.update).then(
					() => {
						this.#queued--;
						this.#stored++;
						if (this.options.acks) this.send(storedFrame(this.#stored));
					},
					(error: unknown) => {
						this.#queued--;
						if (error instanceof UpdateRejectedError) return this.close('malformed');
						this.options.log?.('storing an update failed', error);
						// Nothing was acknowledged or relayed; the client keeps the update and retries.
						this.close('storageFailed');
					}
				);
				return;
			case 'step1':
				this.#queued++;
				// On the queue, so the answer includes every update stored before it.
				void shared.queue.run(() => {
					this.#queued--;
					const encoder = encoding.createEncoder();
					encoding.writeVarUint(encoder, messageType.sync);
					encoding.writeVarUint(encoder, syncStep.step2);
					encoding.writeVarUint8Array(
						encoder,
						Y.encodeStateAsUpdate(shared.doc, frame.stateVector)
					);
					this.send(encoding.toUint8Array(encoder));
				});
				return;
			case 'awareness':
				awarenessProtocol.applyAwarenessUpdate(shared.awareness, frame.update, this);
				return;
			case 'query-awareness':
				this.send(awarenessFrame(shared.awareness, [...shared.awareness.getStates().keys()]));
				return;
		}
	}

	#sendStep1(shared: SharedDoc): void {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageType.sync);
		encoding.writeVarUint(encoder, syncStep.step1);
		encoding.writeVarUint8Array(encoder, Y.encodeStateVector(shared.doc));
		this.send(encoding.toUint8Array(encoder));
	}
}

function storedFrame(count: number): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageType.stored);
	encoding.writeVarUint(encoder, count);
	return encoding.toUint8Array(encoder);
}
