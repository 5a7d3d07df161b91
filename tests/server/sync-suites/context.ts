import { afterAll, beforeAll } from 'vitest';
import { startTether, type TetherServer } from '../harness.js';
import { signIn, type Account } from '../sync-client.js';

/** One real server process shared by the suites of a spec file (starting one costs seconds). */
export interface LiveContext {
	server: TetherServer;
	alice: Account;
	bob: Account;
}

export function liveServer(env: Record<string, string> = {}): LiveContext {
	const ctx = {} as LiveContext;
	beforeAll(async () => {
		ctx.server = await startTether({ env: { TETHER_LOGIN_RATE_LIMIT: '100', ...env } });
		ctx.alice = await signIn(ctx.server, 'alice');
		ctx.bob = await signIn(ctx.server, 'bob');
	});
	afterAll(() => ctx.server?.close());
	return ctx;
}
