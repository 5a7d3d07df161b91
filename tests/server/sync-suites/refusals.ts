import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/lib/core/sync-codec.js';
import { closeCode, maxMessageBytes } from '../../../src/lib/core/sync-protocol.js';
import type { TetherServer } from '../harness.js';
import { connect, opened, outcome, rawSocket, text, type Account } from '../sync-client.js';
import type { LiveContext } from './context.js';

let server: TetherServer;
let alice: Account;
let bob: Account;

/** The process is up and alice's document still has its content. */
async function stillIntact(): Promise<void> {
	const health = await server.request('GET', '/api/health');
	expect(health.status).toBe(200);
	const doc = new Y.Doc();
	const provider = connect(server, alice, 'session.target', doc, { awareness: null });
	await provider.whenSynced;
	provider.destroy();
	expect(text(doc)).toBe('intact');
}

async function sendAndExpectClose(frame: Uint8Array | string, code: number): Promise<void> {
	const ws = rawSocket(server, '/sync/session.target', alice.token);
	const result = outcome(ws);
	await opened(ws);
	ws.send(frame);
	expect((await result).code).toBe(code);
}

export function refusals(ctx: LiveContext): void {
	beforeAll(() => {
		({ server, alice, bob } = ctx);
	});
	beforeAll(async () => {
		// Something to keep intact through every attack below.
		const provider = connect(server, alice, 'session.target');
		await provider.whenSynced;
		provider.doc.getText('t').insert(0, 'intact');
		await provider.whenSynced;
		provider.destroy();
	});
	describe('[SY] refused input leaves the process and the data intact', () => {
		it('[SY20] a malformed frame closes the connection with 4400 and stores nothing (R8)', async () => {
			await sendAndExpectClose(new Uint8Array([0, 2, 200, 1, 2, 3]), closeCode.malformed.code);
			await sendAndExpectClose(new Uint8Array([0, 2, 5, 0xff, 0xff, 0xff, 0xff, 0xff]), 4400);
			await sendAndExpectClose(new Uint8Array([77, 1, 2]), closeCode.malformed.code);
			await sendAndExpectClose('a text frame', closeCode.malformed.code);
			await stillIntact();
		});

		it('[SY21] a frame over the size limit closes the connection with 4413 (R7)', async () => {
			await sendAndExpectClose(new Uint8Array(maxMessageBytes + 1), closeCode.tooLarge.code);
			await stillIntact();
		});

		it('[SY22] random bytes never crash the server (seeded fuzz, R8)', async () => {
			let seed = 1234;
			const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
			for (let i = 0; i < 30; i++) {
				const frame = new Uint8Array(1 + Math.floor(random() * 64)).map(() => random() * 256);
				// Valid-looking heads make the decoder go deeper than the type byte.
				frame[0] = Math.floor(random() * 4);
				const ws = rawSocket(server, '/sync/session.target', alice.token);
				const result = outcome(ws);
				await opened(ws);
				ws.send(frame);
				ws.close();
				await result;
			}
			await stillIntact();
		});

		it('[SY22] mutated real updates are refused or applied whole; the document keeps syncing (R8)', async () => {
			let seed = 99;
			const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
			const writer = connect(server, alice, 'session.fuzz', new Y.Doc(), { awareness: null });
			await writer.whenSynced;
			writer.doc.getText('t').insert(0, 'base content');
			await writer.whenSynced;
			const before = Y.encodeStateVector(writer.doc);
			writer.doc.getText('t').insert(4, ' more');
			writer.doc.getMap('m').set('k', [1, 2]);
			const update = Y.encodeStateAsUpdate(writer.doc, before);
			writer.destroy();
			for (let i = 0; i < 40; i++) {
				const mutated = update.map((b) => (random() < 0.08 ? random() * 256 : b));
				const ws = rawSocket(server, '/sync/session.fuzz', alice.token);
				const result = outcome(ws);
				await opened(ws);
				ws.send(encodeFrame({ kind: 'update', update: mutated }));
				ws.close();
				await result;
			}
			const one = connect(server, alice, 'session.fuzz', new Y.Doc(), { awareness: null });
			const two = connect(server, alice, 'session.fuzz', new Y.Doc(), { awareness: null });
			await Promise.all([one.whenSynced, two.whenSynced]);
			expect(Y.encodeStateAsUpdate(one.doc)).toEqual(Y.encodeStateAsUpdate(two.doc));
			one.destroy();
			two.destroy();
			await stillIntact();
		});

		it('[SY23] a bad token is refused with 4401 and a missing one as well', async () => {
			const bad = rawSocket(server, '/sync/session.target', 't1.nobody.1.1.forged');
			expect((await outcome(bad)).code).toBe(closeCode.authFailed.code);
			const none = rawSocket(server, '/sync/session.target', undefined);
			expect((await outcome(none)).code).toBe(closeCode.authFailed.code);
			await stillIntact();
		});

		it('[SY24] a foreign Origin is refused at the upgrade with 403 (S4)', async () => {
			const ws = rawSocket(server, '/sync/session.target', alice.token, {
				origin: 'https://evil.example'
			});
			expect((await outcome(ws)).status).toBe(403);
			await stillIntact();
		});

		it('[SY25] another account naming the same document gets its own empty one (S2)', async () => {
			const doc = new Y.Doc();
			const provider = connect(server, bob, 'session.target', doc, { awareness: null });
			await provider.whenSynced;
			provider.destroy();
			expect(text(doc)).toBe('');
			await stillIntact();
		});

		it('[SY26] a name that is not a document name, or names another account, looks like not found (S2)', async () => {
			for (const path of [
				`/sync/${alice.accountId}/session.target`,
				`/sync/${encodeURIComponent(`${alice.accountId}/session.target`)}`,
				'/sync/..%2Fsession.target',
				'/sync/session.',
				'/sync/'
			]) {
				const ws = rawSocket(server, path, bob.token);
				expect((await outcome(ws)).code, path).toBe(closeCode.notFound.code);
			}
		});
	});
}
