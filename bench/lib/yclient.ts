import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { messageType } from '../../src/lib/core/sync-protocol.js';

/**
 * How a server frames y-protocol messages. `y-websocket`: the message alone, the document named by
 * the URL (ours and the reference). `hocuspocus`: every message starts with the document's name,
 * and the first one is an auth message (Hocuspocus queues everything else until it has one).
 */
export type Framing = { kind: 'y-websocket' } | { kind: 'hocuspocus'; document: string };

/** Hocuspocus's own message types that this client sends or reads (@hocuspocus/server 3.x). */
const hocuspocus = { auth: 2, authToken: 0, syncReply: 4 } as const;

/**
 * A minimal y-websocket protocol client over `ws`, the same for every server, so none gets a
 * smarter client. It answers sync steps, ignores awareness and Hocuspocus's sync-status replies,
 * and (on our server, which selects `tether.v1`) times each update until the `stored`
 * acknowledgement that covers it.
 */
export class BenchClient {
	readonly doc = new Y.Doc();
	/** Milliseconds from sending an update to the `stored` ack covering it (ours only). */
	readonly storedLatencies: number[] = [];
	readonly synced: Promise<void>;
	#ws: WebSocket;
	#framing: Framing;
	#counted = 0;
	#acked = 0;
	#sentAt = new Map<number, number>();
	#markSynced: () => void = () => {};

	constructor(url: string, protocols: string[], framing: Framing = { kind: 'y-websocket' }) {
		this.#framing = framing;
		this.#ws = new WebSocket(url, protocols, { perMessageDeflate: false });
		this.#ws.binaryType = 'nodebuffer';
		this.synced = new Promise((resolve, reject) => {
			this.#markSynced = resolve;
			this.#ws.once('error', reject);
			this.#ws.once('close', (code, reason) =>
				reject(new Error(`closed before sync: ${code} ${reason.toString()}`))
			);
		});
		this.#ws.on('open', () => {
			if (this.#framing.kind === 'hocuspocus') {
				// No token: the bench's Hocuspocus server has no onAuthenticate hook.
				const auth = this.#encoder(hocuspocus.auth);
				encoding.writeVarUint(auth, hocuspocus.authToken);
				encoding.writeVarString(auth, '');
				this.#ws.send(encoding.toUint8Array(auth));
			}
			const encoder = this.#encoder(messageType.sync);
			syncProtocol.writeSyncStep1(encoder, this.doc);
			this.#ws.send(encoding.toUint8Array(encoder));
		});
		this.#ws.on('message', (data: Buffer) => this.#receive(new Uint8Array(data)));
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin === this) return;
			const encoder = this.#encoder(messageType.sync);
			syncProtocol.writeUpdate(encoder, update);
			this.#sentAt.set(++this.#counted, performance.now());
			this.#ws.send(encoding.toUint8Array(encoder));
		});
	}

	/** Frames queued in the socket but not yet written: a sign the client, not the server, lags. */
	get bufferedAmount(): number {
		return this.#ws.bufferedAmount;
	}

	/** Resolves once every update sent so far is acknowledged as stored. */
	async allStored(timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (this.#acked < this.#counted) {
			if (Date.now() > deadline) throw new Error('updates not acknowledged as stored in time');
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
	}

	close(): Promise<void> {
		if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
		return new Promise((resolve) => {
			this.#ws.once('close', () => resolve());
			this.#ws.close();
		});
	}

	/** An encoder holding the frame's header: the document name where the framing wants it, the type. */
	#encoder(type: number): encoding.Encoder {
		const encoder = encoding.createEncoder();
		if (this.#framing.kind === 'hocuspocus')
			encoding.writeVarString(encoder, this.#framing.document);
		encoding.writeVarUint(encoder, type);
		return encoder;
	}

	#receive(data: Uint8Array): void {
		const decoder = decoding.createDecoder(data);
		const framed = this.#framing.kind === 'hocuspocus';
		if (framed) decoding.readVarString(decoder);
		const type = decoding.readVarUint(decoder);
		if (type === messageType.sync || (framed && type === hocuspocus.syncReply)) {
			const encoder = this.#encoder(messageType.sync);
			const header = encoding.length(encoder);
			const step = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
			// Our answer to the server's step 1 is a step 2: the server counts it like an update.
			if (encoding.length(encoder) > header) {
				this.#counted++;
				this.#ws.send(encoding.toUint8Array(encoder));
			}
			if (step === syncProtocol.messageYjsSyncStep2) this.#markSynced();
		} else if (!framed && type === messageType.stored) {
			this.#ack(decoding.readVarUint(decoder), performance.now());
		}
		// Awareness, auth replies, sync status and anything else: not part of what we measure.
	}

	#ack(count: number, now: number): void {
		for (let seq = this.#acked + 1; seq <= count; seq++) {
			const sentAt = this.#sentAt.get(seq);
			this.#sentAt.delete(seq);
			// Step 2 answers are counted by the server but not timed here.
			if (sentAt !== undefined) this.storedLatencies.push(now - sentAt);
		}
		this.#acked = Math.max(this.#acked, count);
	}
}
