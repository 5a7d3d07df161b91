import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/api.js';
import { createTokens } from './tokens.js';

const key = Buffer.alloc(32, 7);
const make = (now: () => number, ttlSeconds = 3600, maxSessionSeconds = 30 * 86400) =>
	createTokens({ key, ttlSeconds, maxSessionSeconds, now });

const codeOf = (fn: () => unknown) => {
	try {
		fn();
	} catch (error) {
		return error instanceof HttpError ? `${error.status} ${error.code}` : String(error);
	}
	return 'no error';
};

describe('tokens', () => {
	it('[AU8] carry the account id and expiry, in characters a WebSocket subprotocol allows', () => {
		const t = 1_800_000_000_000;
		const tokens = make(() => t);
		const { token, expiresAt } = tokens.issue('AbC-_09xyzAbC-_09xyzAA');
		expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
		expect(expiresAt).toBe(t + 3600_000);
		expect(tokens.verify(token)).toEqual({
			accountId: 'AbC-_09xyzAbC-_09xyzAA',
			expiresAt,
			signedInAt: t
		});
	});

	it('[AU8] are refused once expired, with their own code', () => {
		let t = 1_800_000_000_000;
		const tokens = make(() => t, 60);
		const { token } = tokens.issue('acct');
		t += 59_000;
		expect(tokens.verify(token).accountId).toBe('acct');
		t += 1_000;
		expect(codeOf(() => tokens.verify(token))).toBe('401 token_expired');
	});

	it('[AU8] are refused when any part is changed or signed with another key', () => {
		const tokens = make(Date.now);
		const { token } = tokens.issue('acct');
		const parts = token.split('.');
		const variants = [
			['t1', 'other', ...parts.slice(2)].join('.'),
			[...parts.slice(0, 2), String(Number(parts[2]) + 1000), ...parts.slice(3)].join('.'),
			[...parts.slice(0, 3), '0', parts[4]].join('.'),
			token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'),
			['t2', ...parts.slice(1)].join('.'),
			token + '.x',
			'',
			'garbage'
		];
		for (const bad of variants) expect(codeOf(() => tokens.verify(bad))).toBe('401 invalid_token');
		const foreign = createTokens({
			key: Buffer.alloc(32, 8),
			ttlSeconds: 60,
			maxSessionSeconds: 60
		});
		expect(codeOf(() => tokens.verify(foreign.issue('acct').token))).toBe('401 invalid_token');
	});

	it('[AU9] renewals keep the sign-in time and never outlive the maximum session', () => {
		let t = 1_800_000_000_000;
		const tokens = make(() => t, 3600, 7200);
		let current = tokens.issue('acct').token;
		for (const step of [3000_000, 3000_000]) {
			t += step;
			const claims = tokens.verify(current);
			current = tokens.issue(claims.accountId, claims.signedInAt).token;
		}
		// 6000 s after sign-in: the second renewal stops at 7200 s, not 6000 + 3600.
		expect(tokens.verify(current)).toMatchObject({
			expiresAt: 1_800_000_000_000 + 7200_000,
			signedInAt: 1_800_000_000_000
		});
	});

	it('[AU8] error messages never quote the token', () => {
		const tokens = make(Date.now);
		const { token } = tokens.issue('acct');
		try {
			tokens.verify(token + 'x');
		} catch (error) {
			expect(String((error as Error).message)).not.toContain(token);
		}
	});
});
