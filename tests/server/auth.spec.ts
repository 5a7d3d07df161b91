/**
 * Sign-in against the REAL server process and the fake upstream through the real SDK.
 * Ids [AU*] are in docs/SPEC.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fake-anthropic/index.js';
import {
	deadUpstreamUrl,
	invalidKey,
	startTether,
	testKey,
	waitFor,
	type JsonResponse,
	type TetherServer
} from './harness.js';

let main: TetherServer;
/** Tokens live one second here, to see them expire. */
let shortLived: TetherServer;
/** No upstream behind it, and a login limit of 3 per minute. */
let noUpstream: TetherServer;

beforeAll(async () => {
	[main, shortLived, noUpstream] = await Promise.all([
		startTether(),
		startTether({ tokenTtlSeconds: 1 }),
		deadUpstreamUrl().then((upstreamUrl) =>
			startTether({ upstreamUrl, env: { TETHER_LOGIN_RATE_LIMIT: '3' } })
		)
	]);
}, 60_000);
afterAll(() => Promise.all([main, shortLived, noUpstream].map((s) => s?.close())));

const login = (server: TetherServer, body: unknown, headers?: Record<string, string>) =>
	server.request('POST', '/api/login', { body, headers });

const errorOf = (res: JsonResponse) =>
	(res.body as { error: { code: string; message: string } }).error;

/** Reads the account table from outside the process (WAL allows a concurrent reader). */
function accountRows(server: TetherServer): number {
	const db = new Database(path.join(server.dataDir, 'tether.db'), { readonly: true });
	try {
		return (db.prepare('SELECT count(*) AS n FROM auth_accounts').get() as { n: number }).n;
	} finally {
		db.close();
	}
}

function filesUnder(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? filesUnder(full) : [full];
	});
}

describe('sign-in', () => {
	it('[AU3] a key the API accepts gets a token, an account id and the usable models', async () => {
		const key = testKey('valid');
		const res = await login(main, { apiKey: key });
		expect(res.status).toBe(200);
		const body = res.body as {
			token: string;
			expiresAt: number;
			accountId: string;
			models: { id: string }[];
		};
		expect(body.token).toMatch(/^[A-Za-z0-9_.-]+$/);
		expect(body.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
		expect(body.accountId).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(body.models.map((m) => m.id)).toEqual([
			'claude-opus-4-6',
			'claude-sonnet-4-6',
			'claude-haiku-4-5',
			'claude-sonnet-4-0'
		]);
		expect(body.models[0]).toEqual({
			id: 'claude-opus-4-6',
			displayName: 'Claude Opus 4.6',
			maxInputTokens: 200_000
		});
		const check = main.fake.requestsTo('/v1/models').at(-1);
		expect(check).toMatchObject({ auth: 'bearer', keyAccepted: true, status: 200 });
	});

	it('[AU2] the same key on another device finds the same account; another key another one', async () => {
		const key = testKey('two-devices');
		const first = await main.login(key);
		const second = await main.login(`  ${key}\n`);
		expect(second.accountId).toBe(first.accountId);
		expect((await main.login()).accountId).not.toBe(first.accountId);
	});

	it('[AU2] devices signing in at the same moment with a new key get one account', async () => {
		const key = testKey('race');
		const results = await Promise.all([1, 2, 3, 4, 5].map(() => main.login(key)));
		expect(new Set(results.map((r) => r.accountId)).size).toBe(1);
	});

	it('[AU3] a refused key is a 401 "Invalid API key" and creates no account', async () => {
		const before = accountRows(main);
		const res = await login(main, { apiKey: invalidKey() });
		expect(res.status).toBe(401);
		expect(errorOf(res)).toEqual({ code: 'invalid_key', message: 'Invalid API key' });
		expect(accountRows(main)).toBe(before);
	});

	it('[AU5] a malformed body is a 400 in words, and an oversized one a 413', async () => {
		const cases: [unknown, number, string][] = [
			['{not json', 400, 'bad_json'],
			[{}, 400, 'missing_key'],
			[{ apiKey: 42 }, 400, 'malformed_key'],
			[{ apiKey: 'hello' }, 400, 'malformed_key'],
			[{ apiKey: 'sk-ant-has spaces' }, 400, 'malformed_key'],
			[{ apiKey: `sk-ant-${'x'.repeat(600)}` }, 400, 'malformed_key'],
			[{ apiKey: `sk-ant-${'x'.repeat(5000)}` }, 413, 'too_large']
		];
		for (const [body, status, code] of cases) {
			const res = await login(main, body);
			expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(status);
			expect(errorOf(res).code).toBe(code);
			expect(errorOf(res).message.length).toBeGreaterThan(10);
		}
	});

	it('[AU4] an API that answers with errors gives a 502 that says so, and no account', async () => {
		const before = accountRows(main);
		main.fake.failNext(529, { times: 2, endpoint: 'models' });
		const res = await login(main, { apiKey: testKey('overloaded') });
		expect(res.status).toBe(502);
		expect(errorOf(res).code).toBe('api_error');
		expect(errorOf(res).message).toContain('529');
		expect(accountRows(main)).toBe(before);
	});

	it('[AU12] the key goes only to the configured upstream: redirects are refused', async () => {
		const elsewhere: FakeAnthropic = await startFakeAnthropic({ acceptKey: () => true });
		try {
			const location = `${elsewhere.url}/v1/models`;
			main.fake.failNext({ status: 307, headers: { location } }, { times: 2, endpoint: 'models' });
			const res = await login(main, { apiKey: testKey('redirected') });
			expect(res.status).toBe(502);
			expect(elsewhere.requests).toEqual([]);
		} finally {
			await elsewhere.close();
		}
	});

	it('[AU4] an unreachable API is a 502 "Cannot reach the Anthropic API"', async () => {
		const res = await login(noUpstream, { apiKey: testKey('offline') });
		expect(res.status).toBe(502);
		expect(errorOf(res)).toEqual({
			code: 'api_unreachable',
			message: 'Cannot reach the Anthropic API'
		});
		expect(accountRows(noUpstream)).toBe(0);
	});

	it('[AU6] sign-in attempts are limited per address: 429 with retry-after and a message', async () => {
		const seen: JsonResponse[] = [];
		for (let i = 0; i < 4; i++) seen.push(await login(noUpstream, { apiKey: 'wrong' }));
		const limited = seen.at(-1) as JsonResponse;
		expect(limited.status).toBe(429);
		expect(errorOf(limited).code).toBe('rate_limited');
		expect(errorOf(limited).message).toMatch(/try again in \d+ seconds/);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
	});
});

describe('tokens', () => {
	it('[AU9] a valid token is renewed for the same account', async () => {
		const first = await main.login();
		const res = await main.request('POST', '/api/token', { token: first.token });
		expect(res.status).toBe(200);
		const renewed = res.body as { token: string; accountId: string; expiresAt: number };
		expect(renewed.accountId).toBe(first.accountId);
		expect(renewed.expiresAt).toBeGreaterThanOrEqual(first.expiresAt);
		const again = await main.request('POST', '/api/token', { token: renewed.token });
		expect(again.status).toBe(200);
	});

	it('[AU9] renewal without a token, or with a forged one, is a 401', async () => {
		const none = await main.request('POST', '/api/token');
		expect(none.status).toBe(401);
		expect(errorOf(none).code).toBe('missing_token');
		const { token } = await main.login();
		const forged = token.replace(/\.[^.]+$/, '.AAAA');
		const res = await main.request('POST', '/api/token', { token: forged });
		expect(res.status).toBe(401);
		expect(errorOf(res).code).toBe('invalid_token');
	});

	it('[AU8] an expired token is refused, with a code the client can act on', async () => {
		const { token } = await shortLived.login();
		const res = await waitFor(
			async () => {
				const r = await shortLived.request('POST', '/api/token', { token });
				return r.status === 401 ? r : null;
			},
			{ timeoutMs: 4000, message: 'the token to expire' }
		);
		expect(errorOf(res).code).toBe('token_expired');
	});
});

describe('origins', () => {
	it('[AU10] a hostile page’s Origin is refused; no CORS headers are ever sent', async () => {
		const hostile = await login(main, { apiKey: testKey() }, { origin: 'https://evil.example' });
		expect(hostile.status).toBe(403);
		expect(errorOf(hostile).code).toBe('bad_origin');
		const { token } = await main.login();
		const renew = await main.request('POST', '/api/token', {
			token,
			headers: { origin: 'https://evil.example' }
		});
		expect(renew.status).toBe(403);
		const preflight = await fetch(`${main.url}/api/login`, {
			method: 'OPTIONS',
			headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }
		});
		for (const res of [hostile, renew, { headers: preflight.headers }]) {
			expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
		}
	});

	it('[AU10] the server’s own origin is allowed', async () => {
		const res = await login(main, { apiKey: testKey() }, { origin: main.url });
		expect(res.status).toBe(200);
	});
});

describe('restart', () => {
	it('[AU7] the generated secret is kept (0600): accounts and tokens survive a restart', async () => {
		const key = testKey('restart');
		const before = await main.login(key);
		await main.kill9();
		await main.restart();
		const secretFile = path.join(main.dataDir, 'secret');
		expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
		expect((await main.login(key)).accountId).toBe(before.accountId);
		const renew = await main.request('POST', '/api/token', { token: before.token });
		expect(renew.status).toBe(200);
	});
});

describe('canary', () => {
	it('[AU1] a canary key appears nowhere in DATA_DIR (WAL included) or the server output', async () => {
		const canary = `CANARY-${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
		const good = `sk-ant-test-${canary}`;
		const refused = `sk-ant-invalid-${canary}`;
		const { token } = await main.login(good);
		await main.request('POST', '/api/token', { token });
		await login(main, { apiKey: refused });
		await login(main, { apiKey: `${good} with spaces` });
		main.fake.failNext(500, { times: 2, endpoint: 'models' });
		await login(main, { apiKey: good });
		const leaks = () => [
			...filesUnder(main.dataDir).filter((f) => fs.readFileSync(f).includes(canary)),
			...(main.output().includes(canary) ? ['server output'] : []),
			...(JSON.stringify(main.fake.requests).includes(canary) ? ['fake request log'] : [])
		];
		expect(filesUnder(main.dataDir).some((f) => f.endsWith('-wal'))).toBe(true);
		expect(leaks()).toEqual([]);
		await main.stop(); // checkpoints the WAL into the main file: look again
		expect(leaks()).toEqual([]);
	});
});
