import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeCode } from '../../../src/lib/core/sync-protocol.js';
import { SyncFatalError, syncOnce } from '../../../src/lib/sync/sync-once.js';
import { waitFor, type TetherServer } from '../harness.js';
import {
	connect,
	outcome,
	rawSocket,
	syncUrl,
	WebSocketImpl,
	type Account
} from '../sync-client.js';
import type { LiveContext } from './context.js';

let server: TetherServer;
let alice: Account;
let bob: Account;

async function loadedDocs(): Promise<number> {
	const res = await server.request('GET', '/api/health');
	return (res.body as { loadedDocs: number }).loadedDocs;
}

export function lifecycle(ctx: LiveContext): void {
	beforeAll(() => {
		({ server, alice, bob } = ctx);
	});
	describe('[SY] document lifecycle', () => {
		it('[SY30] idle documents are unloaded after their last connection closes (R11)', async () => {
			const providers = ['session.i1', 'session.i2', 'session.i3'].map((name) =>
				connect(server, alice, name as `session.${string}`)
			);
			await Promise.all(providers.map((p) => p.whenSynced));
			expect(await loadedDocs()).toBeGreaterThanOrEqual(3);
			for (const p of providers) p.destroy();
			await waitFor(async () => (await loadedDocs()) === 0, { message: 'every doc unloaded' });
		});

		it('[SY31] the change feed lists what changed since a cursor, for the caller only', async () => {
			const start = await server.request('GET', '/api/changes?since=0', { token: alice.token });
			expect(start.status).toBe(200);
			const { cursor } = start.body as { cursor: number };
			// Cursors are per account [HD11]: Bob asks with his own, which Alice's write leaves alone.
			const bobStart = await server.request('GET', '/api/changes?since=0', { token: bob.token });
			const bobCursor = (bobStart.body as { cursor: number }).cursor;
			const doc = new Y.Doc();
			doc.getText('t').insert(0, 'changed');
			await syncOnce({
				url: syncUrl(server),
				docName: 'project.feed',
				doc,
				getToken: alice.getToken,
				WebSocketImpl
			});
			const mine = await server.request('GET', `/api/changes?since=${cursor}`, {
				token: alice.token
			});
			expect(mine.body).toMatchObject({ changed: ['project.feed'], deleted: [] });
			const theirs = await server.request('GET', `/api/changes?since=${bobCursor}`, {
				token: bob.token
			});
			expect(theirs.body).toEqual({ cursor: bobCursor, changed: [], deleted: [] });
			const anonymous = await server.request('GET', '/api/changes?since=0');
			expect(anonymous.status).toBe(401);
			const bad = await server.request('GET', '/api/changes?since=-1', { token: alice.token });
			expect(bad.status).toBe(400);
		});

		it('[SY32] a deleted document is refused with 4410, live devices are told, and its bytes leave the .db and -wal files (R16)', async () => {
			const marker = 'DELETE-ME-MARKER-' + 'z'.repeat(3000);
			const live = connect(server, alice, 'session.doomed');
			let fatal: string | undefined;
			const watcher = connect(server, alice, 'session.doomed', new Y.Doc(), {
				onFatal: (reason) => (fatal = reason)
			});
			await Promise.all([live.whenSynced, watcher.whenSynced]);
			live.doc.getText('t').insert(0, marker);
			await waitFor(() => live.status === 'synced', { message: 'the marker stored' });
			live.destroy();
			const files = () => fs.readdirSync(server.dataDir).filter((f) => f.startsWith('tether.db'));
			const contains = () =>
				files().some((f) =>
					fs.readFileSync(path.join(server.dataDir, f)).includes('DELETE-ME-MARKER')
				);
			expect(contains()).toBe(true);

			const res = await server.request('POST', '/api/docs/delete', {
				token: alice.token,
				body: { names: ['session.doomed'] }
			});
			expect(res.status).toBe(200);
			await waitFor(() => fatal === 'deleted', { message: 'the live device told' });
			expect(watcher.status).toBe('stopped');
			expect(contains()).toBe(false);

			const again = await server.request('POST', '/api/docs/delete', {
				token: alice.token,
				body: { names: ['session.doomed'] }
			});
			expect(again.status).toBe(200);
			const ws = rawSocket(server, '/sync/session.doomed', alice.token);
			expect((await outcome(ws)).code).toBe(closeCode.deleted.code);
			// A stale device that still holds the content is refused and drops it rather than re-upload.
			const stale = new Y.Doc();
			stale.getText('t').insert(0, 'resurrect?');
			await expect(
				syncOnce({
					url: syncUrl(server),
					docName: 'session.doomed',
					doc: stale,
					getToken: alice.getToken,
					WebSocketImpl
				})
			).rejects.toEqual(new SyncFatalError('deleted'));
			const feed = await server.request('GET', '/api/changes?since=0', { token: alice.token });
			expect((feed.body as { deleted: string[] }).deleted).toContain('session.doomed');
			expect(contains()).toBe(false);
		});

		it('[SY33] deleting refuses the account document and anything that is not a document name', async () => {
			for (const names of [['account'], ['../x'], 'session.x', [1]]) {
				const res = await server.request('POST', '/api/docs/delete', {
					token: alice.token,
					body: { names }
				});
				expect(res.status).toBe(400);
			}
		});
	});
}
