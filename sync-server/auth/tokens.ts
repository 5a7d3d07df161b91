import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http/api.js';

/**
 * Stateless sync tokens: `t1.<accountId>.<expires>.<signedIn>.<mac>`, times in Unix seconds
 * (base 10), mac = base64url HMAC-SHA256. Only base64url characters and '.', so a token fits
 * in a WebSocket subprotocol (`tether.auth.<token>`). `signedIn` is when the key was last
 * checked: renewals keep it, so a stolen token cannot be renewed forever.
 */
export interface TokenClaims {
	accountId: string;
	/** Milliseconds since the epoch. */
	expiresAt: number;
	signedInAt: number;
}

export interface Tokens {
	issue(accountId: string, signedInAt?: number): { token: string; expiresAt: number };
	/** Throws HttpError 401 (`invalid_token` or `token_expired`); never echoes the token. */
	verify(token: string): TokenClaims;
}

const version = 't1';
const accountIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function createTokens(options: {
	/** The token key, derived from the server secret (see index.ts). */
	key: Buffer;
	ttlSeconds: number;
	maxSessionSeconds: number;
	now?: () => number;
}): Tokens {
	const now = options.now ?? Date.now;
	const mac = (payload: string) =>
		createHmac('sha256', options.key).update(payload).digest('base64url');
	const invalid = () => new HttpError(401, 'invalid_token', 'Invalid sign-in token: sign in again');

	return {
		issue(accountId, signedInAt = now()) {
			if (!accountIdPattern.test(accountId)) throw new Error('malformed account id');
			const signedIn = Math.floor(signedInAt / 1000);
			const limit = signedIn + options.maxSessionSeconds;
			const expires = Math.min(Math.floor(now() / 1000) + options.ttlSeconds, limit);
			const payload = `${version}.${accountId}.${expires}.${signedIn}`;
			return { token: `${payload}.${mac(payload)}`, expiresAt: expires * 1000 };
		},
		verify(token) {
			const parts = token.split('.');
			if (parts.length !== 5 || parts[0] !== version) throw invalid();
			const [, accountId = '', expires = '', signedIn = '', given = ''] = parts;
			const expected = Buffer.from(mac(parts.slice(0, 4).join('.')));
			const actual = Buffer.from(given);
			if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
			if (!accountIdPattern.test(accountId) || !/^\d+$/.test(expires) || !/^\d+$/.test(signedIn)) {
				throw invalid();
			}
			const expiresAt = Number(expires) * 1000;
			if (expiresAt <= now()) {
				throw new HttpError(
					401,
					'token_expired',
					'Sign-in token expired: renew it or sign in again'
				);
			}
			return { accountId, expiresAt, signedInAt: Number(signedIn) * 1000 };
		}
	};
}
