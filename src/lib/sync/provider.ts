import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { DocName } from '../core/doc-names.js';
import { nextTask } from '../store/next-task.js';
import { closeCode, maxMessageBytes, subprotocol } from '../core/sync-protocol.js';
import { AckLedger } from './acks.js';
import { Backoff } from './backoff.js';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './socket.js';
import { SignInRequiredError } from './tokens.js';
import {
	awarenessFrame,
	decodeServerFrame,
	step1Frame,
	step2Parts,
	updateFrames,
	type ServerFrame
} from './wire.js';

export type SyncStatus =
	/** Opening the socket (fetching a token included). */
	| 'connecting'
	/** Connected; the first exchange with the server is not finished. */
	| 'syncing'
	/** Connected; the server has stored everything this device has. */
	| 'synced'
	/** Connected; some local changes are sent but not yet stored by the server. */
	| 'unsynced-local'
	/** Not connected (network, server, or disconnect()); see unsyncedCount for pending changes. */
	| 'offline'
	/** destroy() was called or a fatal close code stopped it; it will not reconnect. */
	| 'stopped';

/** Closes that retrying cannot fix: the app tells the user (auth, too-large) or drops its copy. */
export type FatalReason =
	'auth' | 'too-large' | 'quota' | 'document-quota' | 'deleted' | 'not-found';

/** Closes worth reporting that are retried with backoff. */
export type RetriedReason = 'malformed' | 'rate-limited' | 'storage-failed';

export interface SyncProviderOptions {
	/** WebSocket base, e.g. `ws://host/sync`; the doc name is appended. */
	url: string;
	docName: DocName;
	doc: Y.Doc;
	/** Called before every connection; `renew` asks for a fresh token after the server refused one. */
	getToken: (options?: { renew: boolean }) => Promise<string>;
	WebSocketImpl?: WebSocketConstructor;
	/** Presence to share; null to share none (background catch-up). Default: a new Awareness. */
	awareness?: awarenessProtocol.Awareness | null;
	onStatus?: (status: SyncStatus) => void;
	onFatal?: (reason: FatalReason) => void;
	onRetry?: (reason: RetriedReason) => void;
	/**
	 * Transaction origin for updates from the server (default: the provider). Sharing one lets a
	 * store tell every server update apart from local edits.
	 */
	origin?: object;
	/** Default true. */
	connect?: boolean;
	backoff?: Backoff;
	/** A socket that has not opened after this long is given up and retried. Default 15 s. */
	openTimeoutMs?: number;
	/**
	 * An open socket that brought nothing for this long (the server's first frame is its small
	 * step 1, once it has loaded the document) is given up and retried. Default 30 s.
	 */
	firstFrameTimeoutMs?: number;
	/**
	 * A sent message not acknowledged within this long means a dead connection (a phone that
	 * changed networks keeps a socket "open" for minutes): drop it and reconnect. Default 20 s.
	 */
	ackTimeoutMs?: number;
}

const retried: Partial<Record<number, RetriedReason>> = {
	[closeCode.malformed.code]: 'malformed',
	[closeCode.rateLimited.code]: 'rate-limited',
	[closeCode.storageFailed.code]: 'storage-failed'
};

/** WebSocket's own close code for a frame over the peer's limit. */
const messageTooBig = 1009;

/**
 * Syncs one Y.Doc with the server over one WebSocket, reconnecting with jittered backoff. Every
 * local update counts as unsynced until the server acknowledges that it stored the message that
 * carried it (`stored`), so the app can say "Saved on this device" versus "Synced".
 */
export class SyncProvider {
	readonly doc: Y.Doc;
	readonly docName: DocName;
	readonly awareness: awarenessProtocol.Awareness | null;
	/** Transaction origin of the updates it applies from the server. */
	readonly origin: object;
	readonly #options: SyncProviderOptions;
	readonly #WebSocket: WebSocketConstructor;
	readonly #backoff: Backoff;
	/** An Awareness we created runs a timer; we destroy it with ourselves. */
	readonly #ownsAwareness: boolean;
	#status: SyncStatus = 'offline';
	#ws: WebSocketLike | null = null;
	#wanted = false;
	#stopped = false;
	#retryTimer: ReturnType<typeof setTimeout> | undefined;
	#openTimer: ReturnType<typeof setTimeout> | undefined;
	#ackTimer: ReturnType<typeof setTimeout> | undefined;
	#renewToken = false;
	#authRetried = false;
	readonly #ledger = new AckLedger();
	// Per connection:
	#step2Seq = 0;
	#serverStep2 = false;
	#waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

	constructor(options: SyncProviderOptions) {
		this.#options = options;
		this.doc = options.doc;
		this.docName = options.docName;
		this.origin = options.origin ?? this;
		this.#ownsAwareness = options.awareness === undefined;
		this.awareness =
			options.awareness === undefined
				? new awarenessProtocol.Awareness(options.doc)
				: options.awareness;
		this.#WebSocket = options.WebSocketImpl ?? (globalThis.WebSocket as WebSocketConstructor);
		this.#backoff = options.backoff ?? new Backoff();
		this.doc.on('update', this.#onLocalUpdate);
		this.awareness?.on('update', this.#onAwarenessUpdate);
		if (options.connect !== false) this.connect();
	}

	get status(): SyncStatus {
		return this.#status;
	}

	/** Local updates the server has not confirmed as stored. */
	get unsyncedCount(): number {
		return this.#ledger.unsynced;
	}

	/** Resolves the next time everything is synced; rejects if the provider stops first. */
	get whenSynced(): Promise<void> {
		if (this.#status === 'synced') return Promise.resolve();
		if (this.#status === 'stopped') return Promise.reject(new Error('sync provider stopped'));
		return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
	}

	/** Starts (or resumes after disconnect()) connecting; e.g. on the browser's `online` event. */
	connect(): void {
		if (this.#stopped || this.#wanted) return;
		this.#wanted = true;
		this.#backoff.reset();
		void this.#open();
	}

	/** Closes the socket and stays offline until connect(); e.g. on the browser's `offline` event. */
	disconnect(): void {
		this.#wanted = false;
		clearTimeout(this.#retryTimer);
		this.#dropSocket(1000, 'disconnect');
		if (!this.#stopped) this.#setStatus('offline');
	}

	/** Stops for good and removes every listener it added. */
	destroy(): void {
		// Origin null, not this: the removal is sent, so other devices drop our presence at once.
		if (this.awareness) {
			awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], null);
		}
		this.disconnect();
		this.#stop();
		this.doc.off('update', this.#onLocalUpdate);
		this.awareness?.off('update', this.#onAwarenessUpdate);
		if (this.#ownsAwareness) this.awareness?.destroy();
	}

	async #open(): Promise<void> {
		if (!this.#wanted || this.#ws) return;
		this.#setStatus('connecting');
		let token: string;
		try {
			token = await this.#options.getToken({ renew: this.#renewToken });
		} catch (error) {
			// The key itself was refused: retrying would only ask the API again and again.
			if (error instanceof SignInRequiredError) return this.#fatal('auth');
			return this.#retryLater();
		}
		if (!this.#wanted || this.#ws || this.#stopped) return;
		this.#renewToken = false;
		const url = `${this.#options.url.replace(/\/+$/, '')}/${this.docName}`;
		const ws = new this.#WebSocket(url, [subprotocol.tether, subprotocol.authPrefix + token]);
		ws.binaryType = 'arraybuffer';
		this.#ws = ws;
		this.#resetConnectionState();
		this.#openTimer = setTimeout(() => this.#lost(ws), this.#options.openTimeoutMs ?? 15_000);
		ws.onopen = () => {
			// Open is not yet working: a socket stalled on the way (a proxy, a network that dropped
			// it) opens and then brings nothing, and the handshake would wait for ever while the
			// status said "connected" ([CL15]). The server's first frame must come in time too.
			clearTimeout(this.#openTimer);
			this.#openTimer = setTimeout(
				() => this.#lost(ws),
				this.#options.firstFrameTimeoutMs ?? 30_000
			);
			this.#ledger.connected(ws.protocol === subprotocol.tether);
			this.#setStatus('syncing');
			this.#send(step1Frame(this.doc), 0);
			if (this.awareness?.getLocalState()) {
				this.#send(awarenessFrame(this.awareness, [this.doc.clientID]), 0);
			}
		};
		ws.onmessage = (event) => {
			if (this.#ws !== ws) return;
			clearTimeout(this.#openTimer);
			try {
				this.#receive(decodeServerFrame(new Uint8Array(event.data as ArrayBuffer)));
			} catch {
				// The server sent bytes we cannot use: start over on a new connection.
				this.#lost(ws);
			}
		};
		ws.onerror = () => {};
		ws.onclose = (event) => this.#closed(ws, event.code);
	}

	#receive(frame: ServerFrame): void {
		switch (frame.kind) {
			case 'step1':
				void this.#sendStep2(frame.stateVector);
				break;
			case 'step2':
				Y.applyUpdate(this.doc, frame.update, this.origin);
				this.#serverStep2 = true;
				break;
			case 'update':
				Y.applyUpdate(this.doc, frame.update, this.origin);
				break;
			case 'awareness':
				if (this.awareness) {
					awarenessProtocol.applyAwarenessUpdate(this.awareness, frame.update, this);
				}
				break;
			case 'query-awareness':
				if (this.awareness) {
					const clients = [...this.awareness.getStates().keys()];
					this.#send(awarenessFrame(this.awareness, clients), 0);
				}
				break;
			case 'stored':
				this.#ack(frame.count);
				break;
			case 'auth':
				break;
		}
		this.#updateStatus();
	}

	/** Sends a frame; sync messages (step 2, updates) are numbered for acknowledgements. */
	#send(frame: Uint8Array, carried: number, counted = frame[0] === 0 && frame[1] !== 0): number {
		const ws = this.#ws;
		if (frame.byteLength > maxMessageBytes) {
			// The server would close the connection; retrying would loop (R7).
			this.#ledger.keep(carried);
			this.#fatal('too-large');
			return 0;
		}
		if (!ws || ws.readyState !== OPEN) {
			this.#ledger.keep(carried);
			return 0;
		}
		ws.send(frame);
		if (!counted) return 0;
		const seq = this.#ledger.sent(carried);
		if (this.#ledger.awaiting) this.#ackTimer ??= this.#startAckTimer(ws);
		return seq;
	}

	/**
	 * Sends the parts of one update in order; the local changes they carry count as sent with the
	 * last part, so they are acknowledged only once all of it is stored. Returns the last's seq.
	 */
	#sendAll(frames: Uint8Array[], carried: number): number {
		let seq = 0;
		for (const [i, frame] of frames.entries()) {
			const last = i === frames.length - 1;
			seq = this.#send(frame, last ? carried : 0);
			if (!last && this.#ws?.readyState !== OPEN) {
				// Closed part-way: the rest goes in the next connection's sync step 2.
				this.#ledger.keep(carried);
				return 0;
			}
		}
		return seq;
	}

	/**
	 * Our answer to the server's step 1: every local change it lacks, offline edits included. A
	 * big one (a session imported from a long transcript) is encoded and sent a part at a time,
	 * each in a task of its own, so the page paints and answers between parts; a small one goes
	 * at once. The changes it carries count as sent with the last part.
	 */
	async #sendStep2(stateVector: Uint8Array): Promise<void> {
		const ws = this.#ws;
		const carried = this.#ledger.takePending();
		const parts = step2Parts(this.doc, stateVector);
		let current = parts.next();
		while (!current.done) {
			// Encoded before this part is sent, so the last part is known as the last.
			const upcoming = parts.next();
			if (upcoming.done) {
				this.#step2Seq = this.#send(current.value, carried);
				this.#updateStatus();
				return;
			}
			this.#send(current.value, 0);
			await nextTask();
			if (this.#ws !== ws || ws?.readyState !== OPEN) {
				// Closed part-way: the rest goes in the next connection's sync step 2.
				this.#ledger.keep(carried);
				return;
			}
			current = upcoming;
		}
	}

	#ack(count: number): void {
		this.#ledger.ack(count);
		clearTimeout(this.#ackTimer);
		this.#ackTimer = undefined;
		// Progress: the next unacknowledged message gets a full timeout of its own.
		if (this.#ledger.awaiting && this.#ws) this.#ackTimer = this.#startAckTimer(this.#ws);
	}

	#startAckTimer(ws: WebSocketLike): ReturnType<typeof setTimeout> {
		return setTimeout(() => this.#lost(ws), this.#options.ackTimeoutMs ?? 20_000);
	}

	#onLocalUpdate = (update: Uint8Array, origin: unknown) => {
		if (origin === this.origin) return;
		this.#sendAll(updateFrames(update), 1);
		this.#updateStatus();
	};

	#onAwarenessUpdate = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	) => {
		if (origin === this || !this.awareness) return;
		this.#send(awarenessFrame(this.awareness, [...added, ...updated, ...removed]), 0);
	};

	#closed(ws: WebSocketLike, code: number): void {
		if (this.#ws !== ws) return;
		this.#forget(ws);
		if (code === closeCode.authFailed.code) {
			if (this.#authRetried) return this.#fatal('auth');
			this.#authRetried = true;
			this.#renewToken = true;
			return this.#retryLater(0);
		}
		if (code === closeCode.tooLarge.code || code === messageTooBig) return this.#fatal('too-large');
		if (code === closeCode.quotaExceeded.code) return this.#fatal('quota');
		if (code === closeCode.documentQuotaExceeded.code) return this.#fatal('document-quota');
		if (code === closeCode.deleted.code) return this.#fatal('deleted');
		if (code === closeCode.notFound.code) return this.#fatal('not-found');
		const reason = retried[code];
		if (reason) this.#options.onRetry?.(reason);
		this.#retryLater();
	}

	/** Gives up on a socket that misbehaves (no open, unreadable frames) and retries later. */
	#lost(ws: WebSocketLike): void {
		if (this.#ws !== ws) return;
		this.#forget(ws);
		ws.close();
		this.#retryLater();
	}

	#forget(ws: WebSocketLike): void {
		clearTimeout(this.#openTimer);
		clearTimeout(this.#ackTimer);
		this.#ackTimer = undefined;
		ws.onopen = ws.onmessage = ws.onclose = null;
		// Keep swallowing errors: closing a socket that is still connecting reports one.
		ws.onerror = () => {};
		this.#ws = null;
		// The server's count starts over on the next connection; what it did not confirm counts as
		// local again and travels in the next step 2.
		this.#ledger.disconnected();
		if (this.awareness) {
			const others = [...this.awareness.getStates().keys()].filter(
				(id) => id !== this.doc.clientID
			);
			awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
		}
	}

	#retryLater(delayMs = this.#backoff.next()): void {
		if (!this.#wanted || this.#stopped) return;
		this.#setStatus('offline');
		clearTimeout(this.#retryTimer);
		this.#retryTimer = setTimeout(() => void this.#open(), delayMs);
	}

	#dropSocket(code: number, reason: string): void {
		const ws = this.#ws;
		if (!ws) return;
		this.#forget(ws);
		ws.close(code, reason);
	}

	#resetConnectionState(): void {
		this.#ledger.connected(false);
		this.#step2Seq = 0;
		this.#serverStep2 = false;
	}

	#updateStatus(): void {
		if (this.#stopped || !this.#ws || this.#ws.readyState !== OPEN) return;
		const handshakeDone =
			this.#serverStep2 && this.#step2Seq > 0 && this.#ledger.acked >= this.#step2Seq;
		if (!handshakeDone) return this.#setStatus('syncing');
		this.#backoff.reset();
		this.#authRetried = false;
		this.#setStatus(this.unsyncedCount > 0 ? 'unsynced-local' : 'synced');
	}

	#setStatus(status: SyncStatus): void {
		if (this.#status === 'stopped' || this.#status === status) return;
		this.#status = status;
		if (status === 'synced') for (const w of this.#waiters.splice(0)) w.resolve();
		this.#options.onStatus?.(status);
	}

	#fatal(reason: FatalReason): void {
		this.#wanted = false;
		this.#dropSocket(1000, reason);
		// Before #stop, which rejects whenSynced: a caller racing both sees the reason first.
		this.#options.onFatal?.(reason);
		this.#stop();
	}

	#stop(): void {
		if (this.#stopped) return;
		this.#stopped = true;
		clearTimeout(this.#retryTimer);
		this.#setStatus('stopped');
		const error = new Error('sync provider stopped');
		for (const w of this.#waiters.splice(0)) w.reject(error);
	}
}
