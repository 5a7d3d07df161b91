import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
	decodeFrame,
	encodeFrame,
	FrameError,
	type SyncFrame
} from '../../src/lib/core/sync-codec.js';
import { splitUpdate } from '../../src/lib/core/split-update.js';
import { closeCode, type CloseReason } from '../../src/lib/core/sync-protocol.js';
import type { DocKey } from '../storage/types.js';
import { connectionLimiter, type RateLimits } from './rate-limit.js';
import {
	DocDeletedError,
	QuotaExceededError,
	UpdateRejectedError,
	WorkRefusedError,
	type DocRegistry
} from './registry.js';
import { awarenessFrame, type Peer, type SharedDoc } from './shared-doc.js';
import {
	measureUpdate,
	UpdateLimitError,
	UpdateShapeError,
	type UpdateLimits,
	type UpdateShape
} from '../../src/lib/core/update-shape.js';
import { answerCost, deleteScanCost, rebuildCost, updateCost } from './work-budget.js';

/** A checked frame, with the shape of its update when it carries one. */
interface Received {
	frame: SyncFrame;
	shape: UpdateShape | undefined;
}

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
	/** What one update may contain, checked before it is decoded whole [HD1]. */
	updateLimits: UpdateLimits;
	/** A sync step 1 state vector larger than this is refused as malformed [HD1]. */
	maxStateVectorBytes: number;
	/** Takes work units from the account's budget [HD2]; false closes the socket with 4429. */
	spend: (units: number) => boolean;
	/** Charges work already done to the account's budget, even into debt [HD2]. */
	charge: (units: number) => void;
	log?: (message: string, error?: unknown) => void;
}

/** A sync step 2 answer over this many bytes goes to the client in parts [SY69]. */
const answerPartBytes = 1024 * 1024;
/** And each part holds at most this many structs, so each costs the device a bounded task. */
const answerPartStructs = 20_000;

/**
 * One client socket on one document: checks each frame (size, rate, shape) before anything
 * touches the document, answers sync messages, and acknowledges what is stored, in order.
 */
export class SyncConnection implements Peer {
	#shared: SharedDoc | undefined;
	#early: Received[] = [];
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
		let shape: UpdateShape | undefined;
		try {
			// The envelope only: an update's structs are counted by measureUpdate below, which stops
			// at its limits, instead of being decoded whole before anything is known about them.
			frame = decodeFrame(data, {
				from: 'client',
				checkPayloads: false,
				maxAwarenessBytes: this.options.maxAwarenessBytes
			});
			if (frame.kind === 'update' || frame.kind === 'step2') {
				shape = measureUpdate(frame.update, this.options.updateLimits);
				if (!this.options.spend(updateCost(shape, frame.update.byteLength)))
					return this.close('rateLimited');
			} else if (frame.kind === 'step1') {
				if (frame.stateVector.byteLength > this.options.maxStateVectorBytes)
					return this.close('malformed');
				frame = decodeFrame(data, { from: 'client', checkPayloads: true });
			} else {
				frame = decodeFrame(data, {
					from: 'client',
					checkPayloads: true,
					maxAwarenessBytes: this.options.maxAwarenessBytes
				});
			}
		} catch (error) {
			if (error instanceof UpdateLimitError) return this.close('updateTooLarge');
			if (!(error instanceof FrameError) && !(error instanceof UpdateShapeError)) throw error;
			return this.close('malformed');
		}
		if (this.#queued >= this.options.maxQueuedFrames) return this.close('rateLimited');
		const item = { frame, shape };
		if (this.#shared) this.#handle(this.#shared, item);
		else {
			this.#queued++;
			this.#early.push(item);
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

	#handle(shared: SharedDoc, { frame, shape }: Received): void {
		switch (frame.kind) {
			case 'step2':
			case 'update':
				return this.#store(shared, frame.update, shape);
			case 'step1':
				this.#queued++;
				// On the queue, so the answer includes every update applied before it.
				void shared.queue.run(() => {
					this.#queued--;
					if (this.#closed) return;
					// The whole state is cached, so repeated "send me everything" costs one encoding;
					// what is sent is paid for all the same, so they cannot fill buffers either.
					const update = shared.stateAsUpdate(frame.stateVector);
					if (!this.options.spend(answerCost(update.byteLength))) return this.close('rateLimited');
					this.#sendStep2(update);
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

	/**
	 * Sync step 2 to the client: a big one (a device's first look at a session imported from a
	 * long transcript) as updates of about 1 MiB, then the last part as the step 2, so the device
	 * applies and stores it a bounded piece at a time and counts itself synced only once all of
	 * it is there [SY69]. Parts are sent in order, in one go: nothing is relayed between them.
	 */
	#sendStep2(update: Uint8Array): void {
		const parts =
			update.byteLength > answerPartBytes
				? splitUpdate(update, answerPartBytes, answerPartStructs)
				: [update];
		const last = parts.length - 1;
		for (const [i, part] of parts.entries()) {
			this.send(encodeFrame({ kind: i === last ? 'step2' : 'update', update: part }));
		}
	}

	/**
	 * Parts waiting for what they build on are merged with and retried at every update: each
	 * update pays for them, as they are when it is applied, or a run of small updates costs the
	 * loop quadratic work [HD17]. One function for every update of the connection.
	 */
	readonly #payForPending = (doc: SharedDoc): boolean => {
		const waiting = doc.pendingBytes;
		return waiting === 0 || this.options.spend(answerCost(waiting));
	};

	#store(shared: SharedDoc, update: Uint8Array, shape: UpdateShape | undefined): void {
		// A short delete set can name every struct of a client: pay for what it makes us scan.
		if (shape && shape.deletedByClient.size > 0) {
			const clients = shared.doc.store.clients;
			const scan = deleteScanCost(shape.deletedByClient, (c) => clients.get(c)?.length ?? 0);
			if (!this.options.spend(scan)) return this.close('rateLimited');
		}
		this.#queued++;
		const durable = this.registry.store(shared, this, update, this.#payForPending);
		durable.then(
			() => this.#queued--,
			(error: unknown) => {
				this.#queued--;
				// The document was rebuilt from storage for it: the account pays for that reload.
				if (error instanceof UpdateRejectedError || error instanceof QuotaExceededError)
					this.options.charge(rebuildCost(shared.structCount, shared.storedBytes));
				if (error instanceof UpdateRejectedError) return this.close('malformed');
				if (error instanceof WorkRefusedError) return this.close('rateLimited');
				// Retrying cannot help: the client keeps the update and tells the person.
				if (error instanceof QuotaExceededError) {
					return this.close(error.scope === 'document' ? 'documentQuotaExceeded' : 'quotaExceeded');
				}
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
