import * as Y from 'yjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff.js';
import { SyncProvider } from './provider.js';
import type { WebSocketConstructor } from './socket.js';
import { SignInRequiredError, TokenSource } from './tokens.js';

afterEach(() => {
	vi.unstubAllGlobals();
});

/** A fetch that plays the server: every sign-in is refused, every renewal too. */
function refusingServer() {
	const calls: string[] = [];
	vi.stubGlobal('fetch', async (url: string) => {
		calls.push(url);
		return new Response(JSON.stringify({ error: { message: 'Invalid API key' } }), {
			status: 401,
			headers: { 'content-type': 'application/json' }
		});
	});
	return calls;
}

describe('[CL11] a key the server refuses', () => {
	it('[CL11] is asked about once: later token requests fail at once without signing in again', async () => {
		const calls = refusingServer();
		const tokens = new TokenSource(async () => ({ apiKey: 'sk-ant-test-refused' }));
		await expect(tokens.get()).rejects.toBeInstanceOf(SignInRequiredError);
		await expect(tokens.get()).rejects.toBeInstanceOf(SignInRequiredError);
		await expect(tokens.get({ renew: true })).rejects.toThrow('Invalid API key');
		expect(calls).toEqual(['/api/login']);
	});

	it('[CL11] stops the provider with fatal auth instead of retrying', async () => {
		const getToken = vi.fn(async () => {
			throw new SignInRequiredError('Invalid API key');
		});
		const onFatal = vi.fn();
		const NoSocket = class {
			constructor() {
				throw new Error('no socket may be opened without a token');
			}
		} as unknown as WebSocketConstructor;
		// Timers from here on are fake, so the check below runs whatever retry was scheduled.
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		const provider = new SyncProvider({
			url: 'ws://test/sync',
			docName: 'account',
			doc: new Y.Doc(),
			getToken,
			WebSocketImpl: NoSocket,
			backoff: new Backoff(1, 2),
			onFatal
		});
		await vi.waitFor(() => expect(onFatal).toHaveBeenCalledWith('auth'));
		// Whatever it scheduled runs now: no second try comes.
		vi.runAllTimers();
		vi.useRealTimers();
		expect(getToken).toHaveBeenCalledTimes(1);
		expect(provider.status).toBe('stopped');
		provider.destroy();
	});
});
