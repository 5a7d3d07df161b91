import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeFrame, encodeFrame, type SyncFrame } from '../../src/lib/core/sync-codec.js';
import { closeCode, subprotocol } from '../../src/lib/core/sync-protocol.js';
import { HttpError } from '../http/api.js';
import { createMemoryStorage } from '../storage/memory.js';
import { docKey, type DocStorage } from '../storage/types.js';
import { attachSyncEndpoint, type SyncLimits } from './endpoint.js';
import { DocRegistry } from './registry.js';

/** Test double for auth: the token is `ok-<accountId>`; `origin: evil` is refused with 403. */
function authenticateUpgrade(req: http.IncomingMessage) {
	if (req.headers.origin === 'https://evil.example') throw new HttpError(403, 'bad_origin', 'no');
	const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',');
	const entry = offered.map((p) => p.trim()).find((p) => p.startsWith(subprotocol.authPrefix));
	const token = entry?.slice(subprotocol.authPrefix.length) ?? '';
	if (!token.startsWith('ok-')) throw new HttpError(401, 'invalid_token', 'no');
	return { accountId: token.slice(3) };
}

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const stop of servers.splice(0)) await stop();
});

async function start(
	storage: DocStorage = createMemoryStorage(),
	limits: Partial<SyncLimits> = {}
) {
	const server = http.createServer();
	const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
	const endpoint = attachSyncEndpoint(server, { registry, authenticateUpgrade, limits });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	servers.push(async () => {
		endpoint.close();
		await registry.close();
		await new Promise((resolve) => server.close(resolve));
	});
	return { url: `ws://127.0.0.1:${port}`, registry, storage };
}

/** A raw client that records frames and its close. */
function client(url: string, doc: string, protocols: string[]) {
	const ws = new WebSocket(`${url}/sync/${doc}`, protocols);
	const frames: Uint8Array[] = [];
	ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
	ws.on('error', () => {});
	const closed = new Promise<{ code: number; status?: number }>((resolve) => {
		ws.on('close', (code) => resolve({ code }));
		ws.on('unexpected-response', (_req, res) => {
			resolve({ code: 0, status: res.statusCode });
			ws.terminate();
		});
	});
	const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
	return { ws, frames, closed, opened };
}

function updateFrame(text: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return encodeFrame({ kind: 'update', update: Y.encodeStateAsUpdate(doc) });
}

const decoded = (frames: Uint8Array[]): SyncFrame[] =>
	frames.map((f) => decodeFrame(f, { from: 'server' }));

const storedCounts = (frames: Uint8Array[]) =>
	decoded(frames).flatMap((f) => (f.kind === 'stored' ? [f.count] : []));

const tether = (account: string) => [subprotocol.tether, `${subprotocol.authPrefix}ok-${account}`];

describe('[SY] the sync endpoint', () => {
	it('[SY60] selects tether.v1 when offered and acknowledges each stored message in order', async () => {
		const { url, storage } = await start();
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		expect(c.ws.protocol).toBe(subprotocol.tether);
		c.ws.send(updateFrame('one'));
		c.ws.send(updateFrame('two'));
		await vi.waitFor(() => expect(storedCounts(c.frames)).toEqual([1, 2]));
		expect(await storage.load(docKey('acct', 'session.a'))).toHaveLength(2);
		c.ws.close();
	});

	it('[SY61] echoes the token protocol for clients that offer only it, and sends them no acks', async () => {
		const { url, storage } = await start();
		const c = client(url, 'session.a', [`${subprotocol.authPrefix}ok-acct`]);
		await c.opened;
		expect(c.ws.protocol).toBe(`${subprotocol.authPrefix}ok-acct`);
		c.ws.send(updateFrame('one'));
		await vi.waitFor(async () =>
			expect(await storage.load(docKey('acct', 'session.a'))).toHaveLength(1)
		);
		expect(storedCounts(c.frames)).toEqual([]);
		c.ws.close();
	});

	it('[SY62] a storage failure acknowledges nothing and closes every connection of the document with 4503 (R9)', async () => {
		const storage = createMemoryStorage();
		vi.spyOn(storage, 'append').mockRejectedValue(new Error('disk full'));
		const { url, registry } = await start(storage);
		const c = client(url, 'session.a', tether('acct'));
		const bystander = client(url, 'session.a', tether('acct'));
		await Promise.all([c.opened, bystander.opened]);
		c.ws.send(updateFrame('one'));
		expect((await c.closed).code).toBe(closeCode.storageFailed.code);
		expect(storedCounts(c.frames)).toEqual([]);
		// It was relayed before the disk refused it: the bystander is sent to resync too, and its
		// next step 2 gives the server back whatever it lost.
		expect((await bystander.closed).code).toBe(closeCode.storageFailed.code);
		expect(registry.loadedCount).toBeLessThanOrEqual(1);
	});

	it('[SY20] an update that decodes but cannot be applied closes with 4400 and is not stored', async () => {
		const storage = createMemoryStorage();
		const key = docKey('acct', 'session.a');
		await storage.append(key, Buffer.from('0101010004010174046261736500', 'hex'));
		const { url } = await start(storage);
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		const poison = Buffer.from('01010104c4016e010202585900', 'hex');
		c.ws.send(encodeFrame({ kind: 'update', update: poison }));
		expect((await c.closed).code).toBe(closeCode.malformed.code);
		expect(await storage.load(key)).toHaveLength(1);
	});

	it('[HD2] a refused update pays for rebuilding the document by its structs, not only its bytes', async () => {
		const storage = createMemoryStorage();
		const key = docKey('acct', 'session.a');
		await storage.append(key, Buffer.from('0101010004010174046261736500', 'hex'));
		// 5,000 small structs in about 40 KB: by bytes alone, a rebuild would cost about 160 units.
		const many = new Y.Doc();
		many.transact(() => {
			for (let i = 0; i < 5000; i++) many.getMap('m').set(`k${i}`, i);
		});
		await storage.append(key, Y.encodeStateAsUpdate(many));
		const { url } = await start(storage, { workBudget: { unitsPerSecond: 0.001, burst: 2000 } });
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		c.ws.send(
			encodeFrame({ kind: 'update', update: Buffer.from('01010104c4016e010202585900', 'hex') })
		);
		expect((await c.closed).code).toBe(closeCode.malformed.code);
		// The rebuild integrated 5,000 structs again: the account owes them, and its next update
		// (on a new socket) is refused until the budget has refilled.
		const next = client(url, 'session.a', tether('acct'));
		await next.opened;
		next.ws.send(updateFrame('after the refusal'));
		expect((await next.closed).code).toBe(closeCode.rateLimited.code);
		expect(storedCounts(next.frames)).toEqual([]);
	});

	it('[SY63] too many messages per second close the connection with 4429', async () => {
		const { url } = await start(createMemoryStorage(), {
			rate: { messagesPerSecond: 1, messageBurst: 5, bytesPerSecond: 1e6, byteBurst: 1e7 }
		});
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		for (let i = 0; i < 10; i++) c.ws.send(updateFrame(`m${i}`));
		expect((await c.closed).code).toBe(closeCode.rateLimited.code);
	});

	it('[SY63] one account cannot hold more sockets than its limit; others are unaffected', async () => {
		const { url } = await start(createMemoryStorage(), { maxConnectionsPerAccount: 2 });
		const first = [
			client(url, 'session.a', tether('acct')),
			client(url, 'session.b', tether('acct'))
		];
		await Promise.all(first.map((c) => c.opened));
		const third = client(url, 'session.c', tether('acct'));
		expect((await third.closed).code).toBe(closeCode.rateLimited.code);
		const someoneElse = client(url, 'session.a', tether('other'));
		await someoneElse.opened;
		first[0]!.ws.close();
		await first[0]!.closed;
		// The server counts the closed socket down when its side has closed too: poll.
		let again = client(url, 'session.c', tether('acct'));
		while ((await Promise.race([again.opened.then(() => 'open'), again.closed])) !== 'open') {
			again = client(url, 'session.c', tether('acct'));
		}
		for (const c of [first[1]!, someoneElse, again]) c.ws.close();
	});

	it('[SY64] awareness is relayed to the other connections of the document only', async () => {
		const { url } = await start();
		const a = client(url, 'session.a', tether('acct'));
		const b = client(url, 'session.a', tether('acct'));
		const other = client(url, 'session.a', tether('someone-else'));
		await Promise.all([a.opened, b.opened, other.opened]);
		const presence = new awarenessProtocol.Awareness(new Y.Doc());
		presence.setLocalState({ user: 'a' });
		const update = awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]);
		presence.destroy();
		a.ws.send(encodeFrame({ kind: 'awareness', update }));
		const kinds = (c: { frames: Uint8Array[] }) => decoded(c.frames).map((f) => f.kind);
		await vi.waitFor(() => expect(kinds(b)).toContain('awareness'));
		expect(kinds(other)).not.toContain('awareness');
		for (const c of [a, b, other]) c.ws.close();
	});

	it('[SY65] refuses other paths with 404 and a refused Origin with its HTTP status', async () => {
		const { url } = await start();
		const wrongPath = new WebSocket(`${url}/elsewhere`, tether('acct'));
		const status = await new Promise<number>((resolve) => {
			wrongPath.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			wrongPath.on('error', () => {});
		});
		expect(status).toBe(404);
		const evil = new WebSocket(`${url}/sync/account`, tether('acct'), {
			headers: { origin: 'https://evil.example' }
		});
		const evilStatus = await new Promise<number>((resolve) => {
			evil.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			evil.on('error', () => {});
		});
		expect(evilStatus).toBe(403);
	});

	it('[SY66] answers sync step 1 only after the document is loaded, with what storage holds', async () => {
		const base = createMemoryStorage();
		await base.append(docKey('acct', 'session.a'), Y.encodeStateAsUpdate(textDoc('on disk')));
		let release = () => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const slow: DocStorage = { ...base, load: async (k) => (await gate, base.load(k)) };
		const { url } = await start(slow);
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		c.ws.send(encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(new Y.Doc()) }));
		// A ping's pong comes back after the server has read the frame sent before it.
		await new Promise<void>((resolve) => {
			c.ws.once('pong', () => resolve());
			c.ws.ping();
		});
		expect(c.frames).toHaveLength(0);
		release();
		const step2 = await vi.waitFor(() => {
			const found = decoded(c.frames).find((f) => f.kind === 'step2');
			if (!found) throw new Error('no step 2 yet');
			return found;
		});
		const doc = new Y.Doc();
		Y.applyUpdate(doc, step2.update);
		expect(doc.getText('t').toString()).toBe('on disk');
		c.ws.close();
	});

	it('[SY69] a big sync step 2 answer comes as updates of about 1 MiB, the step 2 last', async () => {
		const base = createMemoryStorage();
		// About 3 MB of text with emoji, in many messages, as an imported session holds it.
		const stored = new Y.Doc();
		const list = stored.getArray<Y.Text>('messages');
		for (let i = 0; i < 300; i++) {
			const text = new Y.Text();
			text.insert(0, `Answer ${i}: ${'Plain words, café, שלום, 😀. '.repeat(300)}`);
			list.push([text]);
		}
		await base.append(docKey('acct', 'session.a'), Y.encodeStateAsUpdate(stored));
		const { url } = await start(base);
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		c.ws.send(encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(new Y.Doc()) }));
		await vi.waitFor(() => {
			if (!decoded(c.frames).some((f) => f.kind === 'step2')) throw new Error('no step 2 yet');
		});
		// After the server's own step 1: the answer.
		const frames = decoded(c.frames).filter((f) => f.kind === 'update' || f.kind === 'step2');
		expect(frames.length).toBeGreaterThan(2);
		expect(frames.slice(0, -1).every((f) => f.kind === 'update')).toBe(true);
		expect(frames.at(-1)!.kind).toBe('step2');
		for (const frame of c.frames) expect(frame.byteLength).toBeLessThan(1.1 * 1024 * 1024);
		// Applied in order, the parts are the document.
		const doc = new Y.Doc();
		for (const frame of frames) if ('update' in frame) Y.applyUpdate(doc, frame.update);
		expect(doc.getArray<Y.Text>('messages').toJSON()).toEqual(list.toJSON());
		expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(stored));
		c.ws.close();
	});
});

describe('[HD] one account cannot stall the others', () => {
	it('[HD1] an update over its struct limit closes with 4413 "update too large" and is not stored', async () => {
		const { url, storage } = await start(createMemoryStorage(), {
			updateLimits: { maxStructs: 100, maxValues: 1000, maxDeleteRanges: 100, maxDepth: 8 }
		});
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		const doc = new Y.Doc();
		doc.transact(() => {
			for (let i = 0; i < 101; i++) doc.getMap('m').set(`k${i}`, i);
		});
		c.ws.send(encodeFrame({ kind: 'update', update: Y.encodeStateAsUpdate(doc) }));
		const closed = await new Promise<string>((resolve) =>
			c.ws.on('close', (code, reason) => resolve(`${code} ${reason.toString()}`))
		);
		expect(closed).toBe(`${closeCode.updateTooLarge.code} ${closeCode.updateTooLarge.reason}`);
		expect(await storage.load(docKey('acct', 'session.a'))).toHaveLength(0);
	});

	it('[HD2] the work budget is per account, across its sockets: spent, it closes with 4429; others go on', async () => {
		const { url, storage } = await start(createMemoryStorage(), {
			workBudget: { unitsPerSecond: 0.001, burst: 20 }
		});
		const sockets = [
			client(url, 'session.a', tether('greedy')),
			client(url, 'session.b', tether('greedy'))
		];
		await Promise.all(sockets.map((c) => c.opened));
		// Each update costs 2 units: ten fit, and two sockets do not get two budgets.
		for (let i = 0; i < 20; i++) sockets[i % 2]!.ws.send(updateFrame(`edit ${i}`));
		const first = await Promise.race(sockets.map((c) => c.closed));
		expect(first.code).toBe(closeCode.rateLimited.code);
		for (const c of sockets) c.ws.close();
		const other = client(url, 'session.a', tether('other'));
		await other.opened;
		other.ws.send(updateFrame('still served'));
		await vi.waitFor(() => expect(storedCounts(other.frames)).toEqual([1]));
		expect(await storage.load(docKey('other', 'session.a'))).toHaveLength(1);
		other.ws.close();
	});

	it('[HD17] while parts of a document wait for what they build on, every update pays for them again: a run of small updates closes with 4429', async () => {
		const { url } = await start(createMemoryStorage(), {
			workBudget: { unitsPerSecond: 0.001, burst: 400 }
		});
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		// 40 KB from a client whose first change the server never gets: it waits, pending.
		const source = new Y.Doc();
		source.getText('t').insert(0, 'first');
		const before = Y.encodeStateVector(source);
		source.getText('t').insert(5, 'x'.repeat(40_000));
		c.ws.send(encodeFrame({ kind: 'update', update: Y.encodeStateAsUpdate(source, before) }));
		// Each small update now costs about 160 units for the waiting bytes: few fit in 400.
		for (let i = 0; i < 20; i++) c.ws.send(updateFrame(`edit ${i}`));
		expect((await c.closed).code).toBe(closeCode.rateLimited.code);
		expect(storedCounts(c.frames).at(-1) ?? 0).toBeLessThan(10);
	});

	it('[HD3] sync step 1 answers are paid for: repeated full-state requests close with 4429', async () => {
		const storage = createMemoryStorage();
		await storage.append(
			docKey('acct', 'session.a'),
			Y.encodeStateAsUpdate(textDoc('x'.repeat(4000)))
		);
		const { url } = await start(storage, { workBudget: { unitsPerSecond: 0.001, burst: 100 } });
		const c = client(url, 'session.a', tether('acct'));
		await c.opened;
		const empty = encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(new Y.Doc()) });
		for (let i = 0; i < 10; i++) c.ws.send(empty);
		expect((await c.closed).code).toBe(closeCode.rateLimited.code);
		const answers = decoded(c.frames).filter((f) => f.kind === 'step2');
		// About 16 units each against a burst of 100: some answered, then refused.
		expect(answers.length).toBeGreaterThan(0);
		expect(answers.length).toBeLessThan(10);
	});
});

function textDoc(text: string): Y.Doc {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return doc;
}
