import { ConfigError } from '../config.js';

/** Auth settings beyond Config, read from the environment once at start-up. */
export interface AuthOptions {
	/** Lifetime of a sync token (TETHER_TOKEN_TTL_SECONDS, default one hour). */
	tokenTtlSeconds: number;
	/** How long renewals may extend one sign-in before the key is needed again (30 days). */
	maxSessionSeconds: number;
	/** Sign-in attempts allowed per client address per minute (TETHER_LOGIN_RATE_LIMIT, 10). */
	loginAttemptsPerMinute: number;
	/** Timeout of the key check against the API, per attempt (ms). */
	keyCheckTimeoutMs: number;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min) {
		throw new ConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
	}
	return value;
}

export function readAuthOptions(env: NodeJS.ProcessEnv = process.env): AuthOptions {
	return {
		tokenTtlSeconds: wholeNumber(env, 'TETHER_TOKEN_TTL_SECONDS', 3600),
		maxSessionSeconds: wholeNumber(env, 'TETHER_MAX_SESSION_SECONDS', 30 * 24 * 3600),
		loginAttemptsPerMinute: wholeNumber(env, 'TETHER_LOGIN_RATE_LIMIT', 10),
		keyCheckTimeoutMs: wholeNumber(env, 'TETHER_KEY_CHECK_TIMEOUT_MS', 10_000)
	};
}
