import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson, type Route } from '../http/api.js';
import type { Accounts } from './accounts.js';
import type { ModelSummary } from './key-check.js';
import { parseApiKey } from './key-check.js';
import type { RateLimiter } from './rate-limit.js';
import type { Tokens } from './tokens.js';

export interface AuthRouteDeps {
	accounts: Accounts;
	tokens: Tokens;
	loginLimiter: RateLimiter;
	checkKey: (apiKey: string) => Promise<ModelSummary[]>;
	checkOrigin: (req: IncomingMessage) => void;
	authenticateRequest: (req: IncomingMessage) => { accountId: string; signedInAt: number };
	/** The address sign-in attempts are counted by [HD7]. */
	clientAddress: (req: IncomingMessage) => string;
}

/**
 * POST /api/login `{ apiKey }` -> `{ token, expiresAt, accountId, models }`
 * POST /api/token (Authorization: Bearer <token>) -> `{ token, expiresAt, accountId }`
 */
export function authRoutes(deps: AuthRouteDeps): Route[] {
	async function login(req: IncomingMessage, res: ServerResponse) {
		deps.checkOrigin(req);
		// Counted before anything else, so malformed and refused attempts count too (S3).
		const verdict = deps.loginLimiter.take(deps.clientAddress(req));
		if (!verdict.ok) {
			res.setHeader('retry-after', String(verdict.retryAfterSeconds));
			throw new HttpError(
				429,
				'rate_limited',
				`Too many sign-in attempts: try again in ${verdict.retryAfterSeconds} seconds`
			);
		}
		const apiKey = parseApiKey(await readJson(req, 4096));
		const models = await deps.checkKey(apiKey);
		// Only a key the API accepted gets an account (S3).
		const { accountId } = await deps.accounts.findOrCreate(apiKey);
		sendJson(res, 200, { ...deps.tokens.issue(accountId), accountId, models });
	}

	function renew(req: IncomingMessage, res: ServerResponse) {
		const { accountId, signedInAt } = deps.authenticateRequest(req);
		sendJson(res, 200, { ...deps.tokens.issue(accountId, signedInAt), accountId });
	}

	return [
		{ method: 'POST', path: '/api/login', handler: login },
		{ method: 'POST', path: '/api/token', handler: renew }
	];
}
