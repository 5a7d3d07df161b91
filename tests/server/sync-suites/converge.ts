import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type TetherServer } from '../harness.js';
import { connect, text, type Account } from '../sync-client.js';
import type { LiveContext } from './context.js';

let server: TetherServer;
let alice: Account;

export function converge(ctx: LiveContext): void {
	beforeAll(() => {
		({ server, alice } = ctx);
	});
	describe('[SY] live sync through the real server', () => {
		it('[SY10] two devices converge both ways and each reports synced once the server stored it', async () => {
			const a = connect(server, alice, 'session.converge');
			const b = connect(server, alice, 'session.converge');
			await Promise.all([a.whenSynced, b.whenSynced]);
			a.doc.getText('t').insert(0, 'from a. ');
			b.doc.getText('t').insert(0, 'from b. ');
			await waitFor(() => text(a.doc) === text(b.doc) && text(a.doc).length === 16, {
				message: 'both edits on both devices'
			});
			await waitFor(() => a.status === 'synced' && b.status === 'synced', { message: 'acks' });
			expect(a.unsyncedCount).toBe(0);
			expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
			a.destroy();
			b.destroy();
		});
	});
}
