import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeCode, maxMessageBytes, messageType, subprotocol } from '../core/sync-protocol.js';
import { Backoff } from './backoff.js';
import { SyncProvider, type FatalReason, type SyncStatus } from './provider.js';
import { OPEN, type WebSocketLike } from './socket.js';
import { decodeServerFrame, step1Frame, step2Parts, updatePartBytes } from './wire.js';

/** A scripted socket: the test plays the server. */
class FakeSocket implements WebSocketLike {
	static all: FakeSocket[] = [];
	binaryType = 'blob';
	readyState = 0;
	protocol = '';
	sent: Uint8Array[] = [];
	closedWith: number | undefined;
	onopen: WebSocketLike['onopen'] = null;
	onmessage: WebSocketLike['onmessage'] = null;
	onclose: WebSocketLike['onclose'] = null;
	onerror: WebSocketLike['onerror'] = null;

	constructor(
		readonly url: string,
		readonly protocols: string[]
	) {
		FakeSocket.all.push(this);
	}
	send(data: Uint8Array) {
		this.sent.push(data);
	}
	close(code = 1000) {
		this.closedWith = code;
		this.readyState = 3;
	}
	open(protocol: string = subprotocol.tether) {
		this.protocol = protocol;
		this.readyState = OPEN;
		this.onopen?.({});
	}
	deliver(frame: Uint8Array) {
		this.onmessage?.({
			data: frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength)
		});
	}
	serverClose(code: number) {
		this.readyState = 3;
		this.onclose?.({ code, reason: '' });
	}
	/** Sync messages sent (step 2 and updates), which the server would count. */
	counted(): number {
		return this.sent.filter((f) => f[0] === messageType.sync && f[1] !== 0).length;
	}
}

function stored(count: number): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageType.stored);
	encoding.writeVarUint(encoder, count);
	return encoding.toUint8Array(encoder);
}

const latest = () => FakeSocket.all.at(-1)!;

/** Fakes the timers the provider sets from now on (retries, timeouts), to run them at will. */
function fakeTimers(): Disposable {
	vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
	return { [Symbol.dispose]: () => vi.useRealTimers() };
}
async function provider(
	options: {
		onFatal?: (r: FatalReason) => void;
		ackTimeoutMs?: number;
		openTimeoutMs?: number;
		origin?: object;
	} = {}
) {
	const statuses: SyncStatus[] = [];
	const p = new SyncProvider({
		url: 'ws://test/sync/',
		docName: 'session.s',
		doc: new Y.Doc(),
		getToken: async () => 'tok',
		WebSocketImpl: FakeSocket,
		backoff: new Backoff(1, 5),
		onStatus: (s) => statuses.push(s),
		...options
	});
	await vi.waitFor(() => expect(FakeSocket.all.length).toBeGreaterThan(0));
	return { p, statuses };
}

/** Completes the first exchange the way the server does. */
function handshake(p: SyncProvider, socket = latest()) {
	socket.open();
	const server = new Y.Doc();
	socket.deliver(step1Frame(server));
	socket.deliver([...step2Parts(server, Y.encodeStateVector(p.doc))][0]!);
	socket.deliver(stored(socket.counted()));
}

/** Offline edits of a big session: about 6 MB in structs of 200 KB (none merge). */
function writeBigOffline(doc: Y.Doc) {
	doc.transact(() => {
		for (let i = 0; i < 30; i++) doc.getText('t').insert(0, `${i}`.padEnd(100_000, 'é'));
	});
}

/** Opens the socket and plays a server that has nothing of the document: its step 1. */
function askForStep2(socket: FakeSocket) {
	socket.open();
	socket.deliver(step1Frame(new Y.Doc()));
}

/** Answers with the server's (empty) step 2 and waits until the socket was sent all of `doc`. */
async function stepsSent(socket: FakeSocket, doc: Y.Doc) {
	socket.deliver([...step2Parts(new Y.Doc(), Y.encodeStateVector(doc))][0]!);
	await vi.waitFor(() => expect(sentText(socket)).toBe(doc.getText('t').toString()));
}

/** The server stores everything the socket sent: nothing is pending, and the provider is synced. */
function expectSyncedOnceStored(p: SyncProvider, socket: FakeSocket) {
	socket.deliver(stored(socket.counted()));
	expect(p.unsyncedCount).toBe(0);
	expect(p.status).toBe('synced');
}

/** The text the step 2 frames a socket sent so far would give the server. */
function sentText(socket: FakeSocket): string {
	const server = new Y.Doc();
	for (const sent of socket.sent) {
		const frame = decodeServerFrame(sent);
		if (frame.kind === 'step2') Y.applyUpdate(server, frame.update);
	}
	return server.getText('t').toString();
}

afterEach(() => {
	FakeSocket.all = [];
});

describe('[CL] the sync provider', () => {
	it('[CL1] offers tether.v1 and the token as subprotocols, on <url>/<docName>', async () => {
		const { p } = await provider();
		expect(latest().url).toBe('ws://test/sync/session.s');
		expect(latest().protocols).toEqual([subprotocol.tether, subprotocol.authPrefix + 'tok']);
		p.destroy();
	});

	it('[CL2] is synced only after the server stored its step 2, and unsynced-local until edits are acked', async () => {
		const { p, statuses } = await provider();
		handshake(p);
		expect(p.status).toBe('synced');
		await expect(p.whenSynced).resolves.toBeUndefined();
		p.doc.getText('t').insert(0, 'x');
		expect(p.status).toBe('unsynced-local');
		expect(p.unsyncedCount).toBe(1);
		latest().deliver(stored(latest().counted()));
		expect(p.status).toBe('synced');
		expect(statuses).toEqual(['connecting', 'syncing', 'synced', 'unsynced-local', 'synced']);
		p.destroy();
	});

	it('[CL3] applies remote updates as its own origin and never echoes them back', async () => {
		const { p } = await provider();
		handshake(p);
		const before = latest().sent.length;
		const other = new Y.Doc();
		other.getText('t').insert(0, 'remote');
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageType.sync);
		encoding.writeVarUint(encoder, 2);
		encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(other));
		latest().deliver(encoding.toUint8Array(encoder));
		expect(p.doc.getText('t').toString()).toBe('remote');
		expect(latest().sent.length).toBe(before);
		p.destroy();
	});

	it('[CL3] applies remote updates with the origin it was given, so a store can tell them from local edits', async () => {
		const fromServer = {};
		const origins: unknown[] = [];
		const { p } = await provider({ origin: fromServer });
		p.doc.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin));
		handshake(p);
		const other = new Y.Doc();
		other.getText('t').insert(0, 'remote');
		latest().deliver([...step2Parts(other, new Uint8Array([0]))][0]!);
		expect(p.doc.getText('t').toString()).toBe('remote');
		expect(origins).toEqual([fromServer]);
		p.destroy();
	});

	it('[CL4] keeps edits made offline as unsynced and sends them in the next step 2', async () => {
		const { p } = await provider();
		handshake(p);
		latest().serverClose(1006);
		expect(p.status).toBe('offline');
		p.doc.getText('t').insert(0, 'offline edit');
		expect(p.unsyncedCount).toBe(1);
		await vi.waitFor(() => expect(FakeSocket.all.length).toBe(2));
		const socket = latest();
		socket.open();
		socket.deliver(step1Frame(new Y.Doc()));
		const step2 = socket.sent.find((f) => f[0] === 0 && f[1] === 1)!;
		const update = decodeServerFrame(step2);
		const check = new Y.Doc();
		if (update.kind === 'step2') Y.applyUpdate(check, update.update);
		expect(check.getText('t').toString()).toBe('offline edit');
		expect(p.unsyncedCount).toBe(1);
		socket.deliver([...step2Parts(new Y.Doc(), Y.encodeStateVector(p.doc))][0]!);
		expectSyncedOnceStored(p, socket);
		p.destroy();
	});

	it.each([
		[closeCode.tooLarge.code, 'too-large'],
		[1009, 'too-large'],
		[closeCode.quotaExceeded.code, 'quota'],
		[closeCode.documentQuotaExceeded.code, 'document-quota'],
		[closeCode.deleted.code, 'deleted'],
		[closeCode.notFound.code, 'not-found']
	])('[CL5] close code %i stops retrying and reports %s', async (code, reason) => {
		const onFatal = vi.fn();
		const { p } = await provider({ onFatal });
		using _timers = fakeTimers();
		handshake(p);
		latest().serverClose(code);
		expect(onFatal).toHaveBeenCalledWith(reason);
		expect(p.status).toBe('stopped');
		await expect(p.whenSynced).rejects.toThrow();
		// Whatever it scheduled runs now: no reconnect comes.
		vi.runAllTimers();
		expect(FakeSocket.all).toHaveLength(1);
		p.destroy();
	});

	it('[CL6] malformed, rate-limited and storage-failed closes are retried with backoff', async () => {
		const { p } = await provider();
		handshake(p);
		latest().serverClose(closeCode.malformed.code);
		expect(p.status).toBe('offline');
		await vi.waitFor(() => expect(FakeSocket.all.length).toBe(2));
		latest().serverClose(closeCode.storageFailed.code);
		await vi.waitFor(() => expect(FakeSocket.all.length).toBe(3));
		p.destroy();
	});

	it('[SY67] a big change goes in parts under the budget, stored only when the last is', async () => {
		const { p } = await provider();
		handshake(p);
		const socket = latest();
		const before = socket.sent.length;
		// Many structs of 100 KB (each inserted at the start, so none merge): about 3 MB.
		p.doc.transact(() => {
			for (let i = 0; i < 30; i++) p.doc.getText('t').insert(0, `${i}`.padEnd(100_000, 'é'));
		});
		const parts = socket.sent.slice(before);
		expect(parts.length).toBeGreaterThan(2);
		const server = new Y.Doc();
		for (const part of parts) {
			expect(part.byteLength).toBeLessThanOrEqual(updatePartBytes + 1024);
			const frame = decodeServerFrame(part);
			expect(frame.kind).toBe('update');
			if (frame.kind === 'update') Y.applyUpdate(server, frame.update);
		}
		expect(server.getText('t').toString()).toBe(p.doc.getText('t').toString());
		// Stored up to the part before the last: the change is not yet on the server.
		socket.deliver(stored(socket.counted() - 1));
		expect(p.unsyncedCount).toBe(1);
		socket.deliver(stored(socket.counted()));
		expect(p.unsyncedCount).toBe(0);
		p.destroy();
	});

	it('[SY68] a big step 2 goes a part per task, and is synced only once the last part is stored', async () => {
		const { p } = await provider();
		writeBigOffline(p.doc);
		const socket = latest();
		// One part in the task that answered; the rest follow, each in a task of its own.
		askForStep2(socket);
		expect(socket.counted()).toBe(1);
		await stepsSent(socket, p.doc);
		expect(socket.counted()).toBeGreaterThan(2);
		// Stored up to the part before the last: still syncing, the edits still pending.
		socket.deliver(stored(socket.counted() - 1));
		expect(p.status).toBe('syncing');
		expect(p.unsyncedCount).toBe(1);
		expectSyncedOnceStored(p, socket);
		p.destroy();
	});

	it('[SY68] a step 2 cut off part-way keeps its changes for the next connection', async () => {
		const { p } = await provider();
		writeBigOffline(p.doc);
		const first = latest();
		askForStep2(first);
		expect(first.counted()).toBe(1);
		first.serverClose(1006);
		await vi.waitFor(() => expect(FakeSocket.all.length).toBe(2));
		const second = latest();
		askForStep2(second);
		await stepsSent(second, p.doc);
		// Nothing more went to the closed socket, and the changes waited for the new one's acks.
		expect(first.counted()).toBe(1);
		expect(p.unsyncedCount).toBe(1);
		expectSyncedOnceStored(p, second);
		p.destroy();
	});

	it('[CL7] refuses to send a frame over the size limit and reports too-large (R7)', async () => {
		const onFatal = vi.fn();
		const { p } = await provider({ onFatal });
		handshake(p);
		const sentBefore = latest().sent.length;
		p.doc.getText('t').insert(0, 'x'.repeat(maxMessageBytes + 10));
		expect(latest().sent.length).toBe(sentBefore);
		expect(onFatal).toHaveBeenCalledWith('too-large');
		expect(p.unsyncedCount).toBe(1);
		p.destroy();
	});

	it('[CL8] disconnect() stays offline until connect(); destroy() removes its listeners', async () => {
		const { p } = await provider();
		handshake(p);
		{
			using _timers = fakeTimers();
			p.disconnect();
			expect(p.status).toBe('offline');
			expect(latest().closedWith).toBe(1000);
			vi.runAllTimers();
			expect(FakeSocket.all).toHaveLength(1);
		}
		p.connect();
		await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(2));
		handshake(p);
		p.destroy();
		expect(p.status).toBe('stopped');
		const sent = latest().sent.length;
		p.doc.getText('t').insert(0, 'after destroy');
		expect(latest().sent.length).toBe(sent);
		// lib0 observables keep their listeners in `_observers`; none of ours may remain.
		const observers = (o: object) => (o as { _observers: Map<string, Set<unknown>> })._observers;
		expect(observers(p.doc).get('update')?.size ?? 0).toBe(0);
		expect(observers(p.awareness!).get('update')?.size ?? 0).toBe(0);
	});
	it('[CL15] a socket that opens and then brings nothing is dropped and opened anew', async () => {
		const { p } = await provider();
		using _timers = fakeTimers();
		const stalled = latest();
		p.doc.getText('t').insert(0, 'waiting behind a stalled proxy');
		stalled.open();
		expect(p.status).toBe('syncing');
		await vi.advanceTimersByTimeAsync(29_000);
		expect(stalled.closedWith).toBeUndefined();
		await vi.advanceTimersByTimeAsync(1_000);
		expect(stalled.closedWith).toBeDefined();
		await vi.advanceTimersByTimeAsync(10);
		await vi.waitFor(() => expect(latest()).not.toBe(stalled));
		handshake(p);
		expect(p.unsyncedCount).toBe(0);
		expect(p.status).toBe('synced');
		p.destroy();
	});

	it('[CL15] a socket whose server answered is not dropped for a slow handshake', async () => {
		const { p } = await provider();
		using _timers = fakeTimers();
		const socket = latest();
		askForStep2(socket);
		await vi.waitFor(() => expect(socket.counted()).toBe(1));
		socket.deliver(stored(1));
		// The server's own step 2 is slow to come (a big document on a slow network).
		await vi.advanceTimersByTimeAsync(120_000);
		expect(latest()).toBe(socket);
		expect(socket.closedWith).toBeUndefined();
		p.destroy();
	});

	it('[CL10] a connection that stops acknowledging is dropped and the edits re-sent on a new one', async () => {
		const { p } = await provider({ ackTimeoutMs: 30 });
		handshake(p);
		p.doc.getText('t').insert(0, 'into the void');
		expect(p.status).toBe('unsynced-local');
		await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(2));
		expect(FakeSocket.all[0]!.closedWith).toBeDefined();
		expect(p.unsyncedCount).toBe(1);
		handshake(p);
		expect(p.unsyncedCount).toBe(0);
		expect(p.status).toBe('synced');
		p.destroy();
	});
});

describe('[CL] backoff', () => {
	it('[CL9] grows exponentially up to the cap, jittered between half and all of it, and resets', () => {
		const values = [0, 0.5, 0.999];
		let i = 0;
		const backoff = new Backoff(100, 1000, () => values[i++ % 3]!);
		expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 150, 400]);
		for (let n = 0; n < 10; n++) expect(backoff.next()).toBeLessThanOrEqual(1000);
		backoff.reset();
		expect(backoff.next()).toBeLessThanOrEqual(100);
	});
});
