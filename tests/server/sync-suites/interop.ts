import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { subprotocol } from '../../../src/lib/core/sync-protocol.js';
import { waitFor, type TetherServer } from '../harness.js';
import { connect, syncUrl, text, type Account } from '../sync-client.js';
import type { LiveContext } from './context.js';

let server: TetherServer;
let alice: Account;

export function interop(ctx: LiveContext): void {
	beforeAll(() => {
		({ server, alice } = ctx);
	});
	describe('[SY] interop with the official client', () => {
		it('[SY40] the y-websocket WebsocketProvider syncs a document with a valid token', async () => {
			const ours = connect(server, alice, 'project.interop');
			await ours.whenSynced;
			ours.doc.getText('t').insert(0, 'from tether. ');

			const doc = new Y.Doc();
			const official = new WebsocketProvider(syncUrl(server), 'project.interop', doc, {
				WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
				// It only offers what we pass: the token, which the server then selects.
				protocols: [subprotocol.authPrefix + alice.token],
				disableBc: true
			});
			await waitFor(() => official.synced, { message: 'the official client to sync' });
			await waitFor(() => text(doc) === 'from tether. ', { message: 'our edit on their side' });
			doc.getText('t').insert(text(doc).length, 'from y-websocket.');
			await waitFor(() => text(ours.doc) === 'from tether. from y-websocket.', {
				message: 'their edit on our side'
			});
			official.destroy();
			ours.destroy();

			// And the server stored it: a fresh device sees both edits.
			const fresh = connect(server, alice, 'project.interop', new Y.Doc(), { awareness: null });
			await fresh.whenSynced;
			expect(text(fresh.doc)).toBe('from tether. from y-websocket.');
			fresh.destroy();
		});
	});
}
