import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the server reads from its environment, parsed and checked once. */
export interface Config {
	port: number;
	host: string;
	dataDir: string;
	appDir: string;
	/** From TETHER_SECRET; when absent the auth module generates one into dataDir. */
	secret: string | undefined;
	defaultModel: string | undefined;
	tls: { cert: string; key: string } | undefined;
	/** Extra origins allowed to open the sync socket and call the API (comma-separated). */
	allowedOrigins: string[];
	/** How long a document stays in memory after its last connection (TETHER_DOC_IDLE_MS). */
	docIdleMs: number;
	/** Open sync sockets one account may hold (TETHER_MAX_SOCKETS_PER_ACCOUNT). */
	maxSocketsPerAccount: number;
}

export class ConfigError extends Error {}

const here = path.dirname(fileURLToPath(import.meta.url));

function parsePort(raw: string | undefined): number {
	if (raw === undefined || raw === '') return 8787;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
	}
	return port;
}

function parseCount(name: string, raw: string | undefined, fallback: number, unit: string): number {
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) {
		throw new ConfigError(`${name} must be a whole number of ${unit}, got "${raw}"`);
	}
	return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const cert = env.TLS_CERT;
	const key = env.TLS_KEY;
	if (Boolean(cert) !== Boolean(key)) {
		throw new ConfigError('TLS_CERT and TLS_KEY must be set together');
	}
	return {
		port: parsePort(env.PORT),
		host: env.HOST || '127.0.0.1',
		dataDir: path.resolve(env.DATA_DIR || './data'),
		// Compiled to build/server/sync-server/; the app is built to build/app.
		appDir: path.resolve(env.TETHER_APP_DIR || path.join(here, '..', '..', 'app')),
		secret: env.TETHER_SECRET || undefined,
		defaultModel: env.TETHER_DEFAULT_MODEL || undefined,
		tls: cert && key ? { cert, key } : undefined,
		allowedOrigins: (env.TETHER_ALLOWED_ORIGINS ?? '')
			.split(',')
			.map((o) => o.trim())
			.filter(Boolean),
		docIdleMs: parseCount('TETHER_DOC_IDLE_MS', env.TETHER_DOC_IDLE_MS, 30_000, 'milliseconds'),
		maxSocketsPerAccount: parseCount(
			'TETHER_MAX_SOCKETS_PER_ACCOUNT',
			env.TETHER_MAX_SOCKETS_PER_ACCOUNT,
			200,
			'sockets'
		)
	};
}
