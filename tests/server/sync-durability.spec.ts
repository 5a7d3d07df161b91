import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProvider } from '../../src/lib/sync/provider.js';
import { startTether, waitFor, type TetherServer } from './harness.js';
import { connect, signIn, text, type Account } from './sync-client.js';

let server: TetherServer;
let alice: Account;
/** Its edits were all acknowledged before the crash; it is gone afterwards (R3). */
let acked: { text: string };
/** Had an edit in flight at the crash and made another while the server was down (R2). */
let survivor: SyncProvider;

// One crash serves both scenarios: a restart costs seconds.
beforeAll(async () => {
	server = await startTether();
	alice = await signIn(server, 'alice');

	const device = connect(server, alice, 'session.durable');
	survivor = connect(server, alice, 'session.resent');
	await Promise.all([device.whenSynced, survivor.whenSynced]);
	for (let i = 0; i < 20; i++) device.doc.getText('t').insert(0, `${i};`);
	survivor.doc.getText('t').insert(0, 'before. ');
	await waitFor(() => device.status === 'synced' && survivor.status === 'synced', {
		message: 'every edit acknowledged'
	});
	acked = { text: text(device.doc) };
	device.destroy();

	survivor.doc.getText('t').insert(0, 'in flight. ');
	await server.kill9();
	await waitFor(() => survivor.status === 'offline' || survivor.status === 'connecting', {
		message: 'the device to notice'
	});
	survivor.doc.getText('t').insert(0, 'offline. ');
	await server.restart();
});
afterAll(async () => {
	survivor?.destroy();
	await server?.close();
});

/** What a brand-new device gets from the server alone. */
async function fresh(docName: 'session.durable' | 'session.resent'): Promise<Y.Doc> {
	const doc = new Y.Doc();
	const provider = connect(server, alice, docName, doc, { awareness: null });
	await provider.whenSynced;
	provider.destroy();
	return doc;
}

describe('[SY] durability across kill -9', () => {
	it('[SY11] everything acknowledged as stored is there after kill -9, even with the sender gone (R3)', async () => {
		expect(text(await fresh('session.durable'))).toBe(acked.text);
	});

	it('[SY12] updates the server never stored are kept by the client and re-sent after restart (R2)', async () => {
		await waitFor(() => survivor.status === 'synced', {
			timeoutMs: 10_000,
			message: 'the device to reconnect and have everything stored'
		});
		expect(survivor.unsyncedCount).toBe(0);
		const expected = text(survivor.doc);
		expect(expected).toContain('in flight. ');
		expect(expected).toContain('offline. ');
		expect(text(await fresh('session.resent'))).toBe(expected);
	});
});
