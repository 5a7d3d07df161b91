/**
 * One account sending its worst input against the real server process, while another account
 * works: what matters here is that everything completes and in which order, never how fast
 * (the delays are measured in `npm run bench`).
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../src/lib/core/sync-codec.js';
import { closeCode } from '../../src/lib/core/sync-protocol.js';
import { defaultUpdateLimits } from '../../src/lib/core/update-shape.js';
import { startTether, waitFor, type TetherServer } from './harness.js';
import { connect, opened, outcome, rawSocket, signIn, text, type Account } from './sync-client.js';

let server: TetherServer;
let attacker: Account;
let victim: Account;

beforeAll(async () => {
	server = await startTether();
	attacker = await signIn(server, 'attacker');
	victim = await signIn(server, 'victim');
});
afterAll(() => server?.close());

function mapUpdate(keys: number): Uint8Array {
	const doc = new Y.Doc();
	const map = doc.getMap('m');
	doc.transact(() => {
		for (let i = 0; i < keys; i++) map.set(`k${i}`, i);
	});
	return Y.encodeStateAsUpdate(doc);
}

/** The victim's two devices on one session; resolves once an edit on one reached the other. */
async function victimRelay(word: string): Promise<void> {
	const a = connect(server, victim, 'session.live', new Y.Doc(), { awareness: null });
	const b = connect(server, victim, 'session.live', new Y.Doc(), { awareness: null });
	await Promise.all([a.whenSynced, b.whenSynced]);
	a.doc.getText('t').insert(0, word);
	await waitFor(() => text(b.doc).includes(word), { timeoutMs: 15_000, message: 'the relay' });
	a.destroy();
	b.destroy();
}

describe('[HD] the worst valid input of one account leaves the others served', () => {
	it('[HD1] a Y.Map update with more keys than the limit closes with 4413 "update too large"; the relay of another account and /api/health complete', async () => {
		const update = mapUpdate(defaultUpdateLimits.maxStructs + 1000);
		const ws = rawSocket(server, '/sync/session.big', attacker.token);
		const closed = outcome(ws);
		await opened(ws);
		ws.send(encodeFrame({ kind: 'update', update }));
		const [result, , health] = await Promise.all([
			closed,
			victimRelay('while refused'),
			server.request('GET', '/api/health')
		]);
		expect(result).toEqual({
			code: closeCode.updateTooLarge.code,
			reason: closeCode.updateTooLarge.reason
		});
		expect(health.status).toBe(200);
		// Nothing of it was stored.
		const check = connect(server, attacker, 'session.big', new Y.Doc(), { awareness: null });
		await check.whenSynced;
		expect(check.doc.getMap('m').size).toBe(0);
		check.destroy();
	});

	it('[HD1] a session made offline with more structs than one frame may carry reaches the server in parts, and another device', async () => {
		const keys = defaultUpdateLimits.maxStructs * 2 + 500;
		const offline = new Y.Doc();
		offline.transact(() => {
			for (let i = 0; i < keys; i++) offline.getMap('m').set(`k${i} ✈️`, i);
		});
		const a = connect(server, victim, 'session.offline-big', offline, { awareness: null });
		await a.whenSynced;
		await waitFor(() => a.unsyncedCount === 0, {
			timeoutMs: 30_000,
			message: 'every part to be stored'
		});
		const b = connect(server, victim, 'session.offline-big', new Y.Doc(), { awareness: null });
		await b.whenSynced;
		expect(b.doc.getMap('m').size).toBe(keys);
		expect(b.doc.getMap('m').get(`k${keys - 1} ✈️`)).toBe(keys - 1);
		a.destroy();
		b.destroy();
	});

	it('[HD1] the largest update the limits allow is stored and acknowledged; meanwhile the relay of another account and /api/health complete', async () => {
		const update = mapUpdate(defaultUpdateLimits.maxStructs);
		const ws = rawSocket(server, '/sync/session.largest', attacker.token);
		const frames: Uint8Array[] = [];
		ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
		await opened(ws);
		ws.send(encodeFrame({ kind: 'update', update }));
		const stored = waitFor(
			() => frames.some((f) => decodeFrame(f, { from: 'server' }).kind === 'stored'),
			{ timeoutMs: 15_000, message: 'the acknowledgement' }
		);
		const [, , health] = await Promise.all([
			stored,
			victimRelay('alongside'),
			server.request('GET', '/api/health')
		]);
		expect(health.status).toBe(200);
		ws.close();
	});
});
