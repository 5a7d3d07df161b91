import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http/api.js';

/**
 * Capabilities carried by an approval's push notification: `a1.<claims>.<mac>`, claims the
 * base64url JSON below, mac = base64url HMAC-SHA256 with a key derived from the server secret.
 * One answers one pending tool call of one session of one account, until the approval ends; it
 * needs no sign-in token, so a notification's action works without opening the app.
 */
export interface ApprovalClaims {
	accountId: string;
	sessionId: string;
	toolUseId: string;
	/** Milliseconds since the epoch. */
	expiresAt: number;
}

export interface ApprovalTokens {
	issue(claims: ApprovalClaims): string;
	/** Throws HttpError 403 (`invalid_capability`) or 410 (`approval_expired`). */
	verify(token: string): ApprovalClaims;
}

const version = 'a1';
const idPattern = /^[A-Za-z0-9_-]{1,128}$/;

export function createApprovalTokens(options: { key: Buffer; now?: () => number }): ApprovalTokens {
	const now = options.now ?? Date.now;
	const mac = (payload: string) =>
		createHmac('sha256', options.key).update(payload).digest('base64url');
	const invalid = () =>
		new HttpError(403, 'invalid_capability', 'This approval link is not valid: open Tether');

	return {
		issue(claims) {
			const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
			const payload = `${version}.${body}`;
			return `${payload}.${mac(payload)}`;
		},
		verify(token) {
			const parts = token.split('.');
			if (parts.length !== 3 || parts[0] !== version) throw invalid();
			const expected = Buffer.from(mac(`${parts[0]}.${parts[1]}`));
			const actual = Buffer.from(parts[2] ?? '');
			if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
			let claims: Partial<ApprovalClaims>;
			try {
				claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
			} catch {
				throw invalid();
			}
			const { accountId, sessionId, toolUseId, expiresAt } = claims;
			if (
				typeof accountId !== 'string' ||
				typeof sessionId !== 'string' ||
				typeof toolUseId !== 'string' ||
				typeof expiresAt !== 'number' ||
				![accountId, sessionId, toolUseId].every((id) => idPattern.test(id))
			) {
				throw invalid();
			}
			if (expiresAt <= now()) {
				throw new HttpError(410, 'approval_expired', 'This approval has ended: open Tether');
			}
			return { accountId, sessionId, toolUseId, expiresAt };
		}
	};
}
