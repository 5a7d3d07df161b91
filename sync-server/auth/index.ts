import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type BetterSqlite3 from 'better-sqlite3';
import { subprotocol } from '../../src/lib/core/sync-protocol.js';
import type { Config } from '../config.js';
import { HttpError, type Route } from '../http/api.js';
import type pg from 'pg';
import { createAccounts } from './accounts.js';
import { createPostgresAccounts } from './accounts-postgres.js';
import { checkKeyWithApi, type ModelSummary } from './key-check.js';
import { readAuthOptions, type AuthOptions } from './options.js';
import { checkOrigin } from './origin.js';
import { clientAddress } from '../http/client-address.js';
import { createRateLimiter } from './rate-limit.js';
import { authRoutes } from './routes.js';
import { loadSecret } from './secret.js';
import { createTokens } from './tokens.js';

export interface Auth {
	/** POST /api/login and POST /api/token. */
	routes: Route[];
	/**
	 * For the WebSocket upgrade: Origin check (403 `bad_origin`), then the token from the
	 * `tether.auth.<token>` entry of Sec-WebSocket-Protocol (401). The server should select
	 * `tether.v1` when offered; echoing the auth entry only returns it to its own sender.
	 */
	authenticateUpgrade(req: IncomingMessage): { accountId: string };
	/** For API routes: Origin check (403), then `Authorization: Bearer <token>` (401). */
	authenticateRequest(req: IncomingMessage): { accountId: string; signedInAt: number };
	/** The account a key signed in to (the same HMAC), or null; never creates one. */
	accountOfKey(apiKey: string): Promise<string | null>;
}

export interface CreateAuthOptions {
	config: Pick<Config, 'secret' | 'dataDir' | 'allowedOrigins'> &
		Partial<Pick<Config, 'trustProxy'>>;
	db: BetterSqlite3.Database;
	/** With DATABASE_URL: accounts live in PostgreSQL, shared by every instance. */
	pool?: pg.Pool;
	/** Defaults from the environment (readAuthOptions). */
	options?: Partial<AuthOptions>;
	/** Replaces the API key check (unit tests); the default asks the API through the SDK. */
	checkKey?: (apiKey: string) => Promise<ModelSummary[]>;
	now?: () => number;
}

export function createAuth({ config, db, pool, options, checkKey, now }: CreateAuthOptions): Auth {
	const settings = { ...readAuthOptions(), ...options };
	const secret = loadSecret(config);
	// A separate key for tokens: an API key (always `sk-ant-...`) can never be this label.
	const tokenKey = createHmac('sha256', secret).update('tether/token-key/v1').digest();
	const tokens = createTokens({
		key: tokenKey,
		ttlSeconds: settings.tokenTtlSeconds,
		maxSessionSeconds: settings.maxSessionSeconds,
		now
	});
	const accounts = pool
		? createPostgresAccounts(pool, secret, now)
		: createAccounts(db, secret, now);
	const origin = (req: IncomingMessage) => checkOrigin(req, config.allowedOrigins);

	function authenticateRequest(req: IncomingMessage) {
		origin(req);
		const header = req.headers.authorization;
		if (!header?.startsWith('Bearer ')) {
			throw new HttpError(401, 'missing_token', 'Sign in first: no sign-in token was sent');
		}
		const { accountId, signedInAt } = tokens.verify(header.slice('Bearer '.length).trim());
		return { accountId, signedInAt };
	}

	function authenticateUpgrade(req: IncomingMessage) {
		origin(req);
		const offered = String(req.headers['sec-websocket-protocol'] ?? '')
			.split(',')
			.map((p) => p.trim());
		const entry = offered.find((p) => p.startsWith(subprotocol.authPrefix));
		if (!entry)
			throw new HttpError(401, 'missing_token', 'Sign in first: no sign-in token was sent');
		return { accountId: tokens.verify(entry.slice(subprotocol.authPrefix.length)).accountId };
	}

	const routes = authRoutes({
		accounts,
		tokens,
		loginLimiter: createRateLimiter({
			limit: settings.loginAttemptsPerMinute,
			windowMs: 60_000,
			now
		}),
		checkKey: checkKey ?? ((apiKey) => checkKeyWithApi(apiKey, settings.keyCheckTimeoutMs)),
		checkOrigin: origin,
		clientAddress: (req) => clientAddress(req, config.trustProxy ?? false),
		authenticateRequest
	});
	return { routes, authenticateUpgrade, authenticateRequest, accountOfKey: accounts.find };
}
