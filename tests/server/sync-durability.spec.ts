import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTether, waitFor, type TetherServer } from './harness.js';
import { connect, signIn, text, type Account } from './sync-client.js';

let server: TetherServer;
let alice: Account;

beforeAll(async () => {
	server = await startTether();
	alice = await signIn(server, 'alice');
});
afterAll(() => server?.close());

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
		const device = connect(server, alice, 'session.durable');
		await device.whenSynced;
		for (let i = 0; i < 20; i++) device.doc.getText('t').insert(0, `${i};`);
		await waitFor(() => device.status === 'synced', { message: 'every edit acknowledged' });
		const expected = text(device.doc);
		device.destroy();
		await server.kill9();
		await server.restart();
		expect(text(await fresh('session.durable'))).toBe(expected);
	});

	it('[SY12] updates the server never stored are kept by the client and re-sent after restart (R2)', async () => {
		const device = connect(server, alice, 'session.resent');
		await device.whenSynced;
		device.doc.getText('t').insert(0, 'before. ');
		await waitFor(() => device.status === 'synced', { message: 'first edit stored' });
		// Kill while an edit is in flight, then edit while the server is down.
		device.doc.getText('t').insert(0, 'in flight. ');
		await server.kill9();
		await waitFor(() => device.status === 'offline' || device.status === 'connecting', {
			message: 'the device to notice'
		});
		device.doc.getText('t').insert(0, 'offline. ');
		expect(device.unsyncedCount).toBeGreaterThan(0);
		await server.restart();
		await waitFor(() => device.status === 'synced', {
			timeoutMs: 10_000,
			message: 'the device to reconnect and have everything stored'
		});
		expect(device.unsyncedCount).toBe(0);
		const expected = text(device.doc);
		device.destroy();
		expect(text(await fresh('session.resent'))).toBe(expected);
		expect(expected).toContain('in flight. ');
		expect(expected).toContain('offline. ');
	});
});
