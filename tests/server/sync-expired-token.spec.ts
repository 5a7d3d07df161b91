import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCode } from '../../src/lib/core/sync-protocol.js';
import { startTether, testKey, waitFor, type TetherServer } from './harness.js';
import { connect, outcome, rawSocket, type Account } from './sync-client.js';

let server: TetherServer;

beforeAll(async () => {
	server = await startTether({ tokenTtlSeconds: 1 });
});
afterAll(() => server?.close());

describe('[SY] expired tokens', () => {
	it('[SY27] an expired token is refused with 4401; the provider renews once and carries on', async () => {
		const apiKey = testKey('expiring');
		const first = await server.login(apiKey);
		await waitFor(
			async () => {
				const ws = rawSocket(server, '/sync/account', first.token);
				ws.on('open', () => ws.close());
				return (await outcome(ws)).code === closeCode.authFailed.code;
			},
			{ timeoutMs: 5000, intervalMs: 200, message: 'the token to expire' }
		);
		let renewals = 0;
		const account: Account = {
			token: first.token,
			accountId: first.accountId,
			getToken: async (options?: { renew: boolean }) => {
				if (!options?.renew) return first.token;
				renewals++;
				return (await server.login(apiKey)).token;
			}
		};
		const provider = connect(server, account, 'account');
		await provider.whenSynced;
		expect(renewals).toBe(1);
		provider.destroy();
	});

	it('[SY28] a token refused twice in a row stops the provider with a fatal "auth"', async () => {
		let fatal: string | undefined;
		const account: Account = {
			token: 'x',
			accountId: 'x',
			getToken: async () => 't1.nobody.1.1.forged'
		};
		const provider = connect(server, account, 'account', undefined, {
			onFatal: (reason) => (fatal = reason)
		});
		await waitFor(() => fatal === 'auth', { message: 'a fatal auth' });
		expect(provider.status).toBe('stopped');
		provider.destroy();
	});
});
