import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { testKey } from '../../tests/server/harness.js';
import { HttpError } from '../http/api.js';
import { createAuth } from './index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-auth-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const db = new Database(path.join(dir, 'tether.db'));
const auth = createAuth({
	config: { secret: undefined, dataDir: dir, allowedOrigins: ['https://app.example'] },
	db,
	options: { tokenTtlSeconds: 60 },
	checkKey: async () => []
});

/** Only the parts authenticate* read: headers. */
const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

function failure(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof HttpError) return `${error.status} ${error.code}`;
		throw error;
	}
	return 'accepted';
}

describe('createAuth', () => {
	it('exposes the sign-in and renewal routes', () => {
		expect(auth.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
			'POST /api/login',
			'POST /api/token'
		]);
	});

	it('[AU11] the upgrade reads the token from the tether.auth. subprotocol entry', async () => {
		const token = await loginToken();
		const ok = auth.authenticateUpgrade(
			request({ host: 'h:1', 'sec-websocket-protocol': `tether.v1, tether.auth.${token}` })
		);
		expect(ok.accountId).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(
			failure(() => auth.authenticateUpgrade(request({ 'sec-websocket-protocol': 'tether.v1' })))
		).toBe('401 missing_token');
		expect(
			failure(() =>
				auth.authenticateUpgrade(
					request({ 'sec-websocket-protocol': 'tether.v1, tether.auth.nope' })
				)
			)
		).toBe('401 invalid_token');
	});

	it('[AU10] the upgrade from a foreign Origin is refused before the token is read', async () => {
		const token = await loginToken();
		const headers = { host: 'h:1', 'sec-websocket-protocol': `tether.v1, tether.auth.${token}` };
		expect(
			failure(() =>
				auth.authenticateUpgrade(request({ ...headers, origin: 'https://evil.example' }))
			)
		).toBe('403 bad_origin');
		expect(
			failure(() => auth.authenticateUpgrade(request({ ...headers, origin: 'http://h:1' })))
		).toBe('accepted');
		expect(
			failure(() =>
				auth.authenticateUpgrade(request({ ...headers, origin: 'https://app.example' }))
			)
		).toBe('accepted');
	});

	it('[AU11] API requests carry the token as Authorization: Bearer', async () => {
		const token = await loginToken();
		expect(
			failure(() => auth.authenticateRequest(request({ authorization: `Bearer ${token}` })))
		).toBe('accepted');
		expect(failure(() => auth.authenticateRequest(request({})))).toBe('401 missing_token');
		expect(
			failure(() => auth.authenticateRequest(request({ authorization: `Basic ${token}` })))
		).toBe('401 missing_token');
		expect(
			failure(() =>
				auth.authenticateRequest(
					request({ authorization: `Bearer ${token}`, origin: 'https://evil.example' })
				)
			)
		).toBe('403 bad_origin');
	});
});

/** Runs the real login route with a stubbed key check, through a minimal request/response. */
async function loginToken(): Promise<string> {
	const { Readable } = await import('node:stream');
	const body = Readable.from([Buffer.from(JSON.stringify({ apiKey: testKey('unit') }))]);
	const req = Object.assign(body, {
		headers: {},
		socket: { remoteAddress: '127.0.0.1' }
	}) as unknown as IncomingMessage;
	let sent = '';
	const res = {
		setHeader: () => undefined,
		writeHead: () => res,
		end: (text: string) => void (sent = text)
	};
	const login = auth.routes.find((r) => r.path === '/api/login');
	await login?.handler(req, res as never);
	return (JSON.parse(sent) as { token: string }).token;
}
