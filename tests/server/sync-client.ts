/**
 * Sync test helpers on top of the server harness: tokens, SyncProviders and raw sockets against
 * the real server process. The only place tests get tokens from (`signIn`).
 */
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { DocName } from '../../src/lib/core/doc-names.js';
import { subprotocol } from '../../src/lib/core/sync-protocol.js';
import { Backoff } from '../../src/lib/sync/backoff.js';
import { SyncProvider, type SyncProviderOptions } from '../../src/lib/sync/provider.js';
import type { WebSocketConstructor } from '../../src/lib/sync/socket.js';
import { testKey, type TetherServer } from './harness.js';

export const WebSocketImpl = WebSocket as unknown as WebSocketConstructor;

export interface Account {
	token: string;
	accountId: string;
	/** What a SyncProvider calls before each connection; a renewal signs in again. */
	getToken: (options?: { renew: boolean }) => Promise<string>;
}

/** Signs in with a fresh fake key through POST /api/login (the fake upstream accepts it). */
export async function signIn(server: TetherServer, label = 'user'): Promise<Account> {
	const apiKey = testKey(label);
	const first = await server.login(apiKey);
	const account: Account = {
		token: first.token,
		accountId: first.accountId,
		// Like the app: reuse the token, sign in again when the server refused it.
		getToken: async (options?: { renew: boolean }) => {
			if (options?.renew) account.token = (await server.login(apiKey)).token;
			return account.token;
		}
	};
	return account;
}

export function syncUrl(server: TetherServer): string {
	return `${server.wsUrl}/sync`;
}

/** A provider with fast, still jittered, reconnects so tests do not wait on backoff. */
export function connect(
	server: TetherServer,
	account: Account,
	docName: DocName,
	doc = new Y.Doc(),
	options: Partial<SyncProviderOptions> = {}
): SyncProvider {
	return new SyncProvider({
		url: syncUrl(server),
		docName,
		doc,
		getToken: account.getToken,
		WebSocketImpl,
		backoff: new Backoff(20, 300),
		...options
	});
}

/** A raw socket, as an attacker or another client would open it. */
export function rawSocket(
	server: TetherServer,
	path: string,
	token: string | undefined,
	headers: Record<string, string> = {}
): WebSocket {
	const protocols = [subprotocol.tether, ...(token ? [subprotocol.authPrefix + token] : [])];
	return new WebSocket(`${server.wsUrl}${path}`, protocols, { headers });
}

/** Resolves with the close code and reason, or with the HTTP status of a refused upgrade. */
export function outcome(
	ws: WebSocket
): Promise<{ code?: number; reason?: string; status?: number }> {
	return new Promise((resolve) => {
		ws.on('unexpected-response', (_req, res) => {
			resolve({ status: res.statusCode });
			ws.terminate();
		});
		ws.on('error', () => {});
		ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
	});
}

export function opened(ws: WebSocket): Promise<void> {
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
}

export function text(doc: Y.Doc, name = 't'): string {
	return doc.getText(name).toString();
}
