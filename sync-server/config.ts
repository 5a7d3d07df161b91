import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
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
	/** A streaming answer silent this long is given up (TETHER_RUN_IDLE_SECONDS, R19). */
	runIdleMs: number;
	/** Tool rounds one run may take before it stops (TETHER_MAX_TOOL_ROUNDS). */
	maxToolRounds: number;
	/** How long a file change waits for approval (TETHER_APPROVAL_SECONDS). */
	approvalMs: number;
	/** The origin people reach the server at (TETHER_PUBLIC_ORIGIN): its host passes the Host check. */
	publicOrigin: string | undefined;
	/** Take the client address from X-Forwarded-For (TETHER_TRUST_PROXY, [HD7]). */
	trustProxy: boolean;
	/** Headers and body of a request must arrive within this (TETHER_REQUEST_TIMEOUT_MS, [HD6]). */
	requestTimeoutMs: number;
	/** Open connections per client address that are not authenticated sync sockets ([HD6]). */
	maxConnectionsPerIp: number;
	/** Bytes one document may take in storage (TETHER_MAX_DOC_MB, [HD5]). */
	maxDocBytes: number;
	/** Bytes all documents of one account may take (TETHER_MAX_ACCOUNT_MB, [HD5]). */
	maxAccountBytes: number;
	/** PostgreSQL for documents and accounts (DATABASE_URL); unset: SQLite in dataDir. */
	databaseUrl: string | undefined;
	/** Redis between instances (REDIS_URL); needs databaseUrl. */
	redisUrl: string | undefined;
	/**
	 * Names this process in /api/health, its log lines and the runs it claims
	 * (TETHER_INSTANCE_ID, else random at each start, [IN10]).
	 */
	instanceId: string;
	/**
	 * With PostgreSQL: an instance silent this long is gone, and another ends the runs it claimed
	 * (TETHER_INSTANCE_TIMEOUT_SECONDS, [IN12]).
	 */
	instanceTimeoutMs: number;
}

export class ConfigError extends Error {}

const mib = 1024 * 1024;

const here = path.dirname(fileURLToPath(import.meta.url));

function parsePort(raw: string | undefined): number {
	if (raw === undefined || raw === '') return 8787;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
	}
	return port;
}

function parseCount(
	name: string,
	raw: string | undefined,
	fallback: number,
	unit: string,
	min = 0
): number {
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min) {
		throw new ConfigError(`${name} must be a whole number of ${unit} from ${min}, got "${raw}"`);
	}
	return value;
}

function parseFlag(name: string, raw: string | undefined): boolean {
	if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
	if (raw === '1' || raw === 'true') return true;
	throw new ConfigError(`${name} must be 1 or 0 (true or false), got "${raw}"`);
}

function parseOrigin(name: string, raw: string | undefined): string | undefined {
	if (raw === undefined || raw === '') return undefined;
	try {
		const url = new URL(raw);
		if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
	} catch {
		// Falls through to the sentence below.
	}
	throw new ConfigError(`${name} must be an origin like https://tether.example, got "${raw}"`);
}

/**
 * Checks TLS_CERT and TLS_KEY before the server starts, so a wrong path or a key that belongs to
 * another certificate stops it with a sentence instead of a stack trace.
 */
function checkTls(certPath: string, keyPath: string): { cert: string; key: string } {
	const read = (name: string, file: string) => {
		try {
			return fs.readFileSync(file);
		} catch (error) {
			const reason = (error as NodeJS.ErrnoException).code ?? String(error);
			throw new ConfigError(`${name}: cannot read "${file}" (${reason})`);
		}
	};
	let certificate: X509Certificate;
	try {
		certificate = new X509Certificate(read('TLS_CERT', certPath));
	} catch (error) {
		if (error instanceof ConfigError) throw error;
		throw new ConfigError(`TLS_CERT: "${certPath}" is not a PEM certificate`);
	}
	let privateKey;
	try {
		privateKey = createPrivateKey(read('TLS_KEY', keyPath));
	} catch (error) {
		if (error instanceof ConfigError) throw error;
		throw new ConfigError(`TLS_KEY: "${keyPath}" is not a PEM private key`);
	}
	if (!certificate.checkPrivateKey(privateKey)) {
		throw new ConfigError('TLS_KEY is not the private key of the certificate in TLS_CERT');
	}
	return { cert: certPath, key: keyPath };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const cert = env.TLS_CERT;
	const key = env.TLS_KEY;
	if (Boolean(cert) !== Boolean(key)) {
		throw new ConfigError('TLS_CERT and TLS_KEY must be set together');
	}
	const databaseUrl = env.DATABASE_URL || undefined;
	const redisUrl = env.REDIS_URL || undefined;
	if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
		throw new ConfigError('DATABASE_URL must be a postgres:// URL');
	}
	if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
		throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
	}
	if (redisUrl && !databaseUrl) {
		throw new ConfigError(
			'REDIS_URL needs DATABASE_URL: instances share documents through PostgreSQL, not SQLite'
		);
	}
	if (databaseUrl && !env.TETHER_SECRET) {
		// A secret generated per instance would give each instance its own accounts and tokens.
		throw new ConfigError('DATABASE_URL needs TETHER_SECRET, the same on every instance');
	}
	const instanceId = env.TETHER_INSTANCE_ID || randomBytes(4).toString('hex');
	if (!/^[A-Za-z0-9._-]{1,64}$/.test(instanceId)) {
		throw new ConfigError(
			`TETHER_INSTANCE_ID must be 1 to 64 letters, digits, dots, dashes or underscores, got "${instanceId}"`
		);
	}
	return {
		databaseUrl,
		redisUrl,
		instanceId,
		instanceTimeoutMs:
			1000 *
			parseCount(
				'TETHER_INSTANCE_TIMEOUT_SECONDS',
				env.TETHER_INSTANCE_TIMEOUT_SECONDS,
				30,
				'seconds',
				1
			),
		port: parsePort(env.PORT),
		host: env.HOST || '127.0.0.1',
		dataDir: path.resolve(env.DATA_DIR || './data'),
		// Compiled to build/server/sync-server/; the app is built to build/app.
		appDir: path.resolve(env.TETHER_APP_DIR || path.join(here, '..', '..', 'app')),
		secret: env.TETHER_SECRET || undefined,
		defaultModel: env.TETHER_DEFAULT_MODEL || undefined,
		tls: cert && key ? checkTls(cert, key) : undefined,
		allowedOrigins: (env.TETHER_ALLOWED_ORIGINS ?? '')
			.split(',')
			.map((o) => o.trim())
			.filter(Boolean),
		docIdleMs: parseCount('TETHER_DOC_IDLE_MS', env.TETHER_DOC_IDLE_MS, 30_000, 'milliseconds'),
		runIdleMs:
			1000 * parseCount('TETHER_RUN_IDLE_SECONDS', env.TETHER_RUN_IDLE_SECONDS, 60, 'seconds', 1),
		maxToolRounds: parseCount(
			'TETHER_MAX_TOOL_ROUNDS',
			env.TETHER_MAX_TOOL_ROUNDS,
			20,
			'rounds',
			1
		),
		approvalMs:
			1000 * parseCount('TETHER_APPROVAL_SECONDS', env.TETHER_APPROVAL_SECONDS, 600, 'seconds', 1),
		publicOrigin: parseOrigin('TETHER_PUBLIC_ORIGIN', env.TETHER_PUBLIC_ORIGIN),
		trustProxy: parseFlag('TETHER_TRUST_PROXY', env.TETHER_TRUST_PROXY),
		requestTimeoutMs: parseCount(
			'TETHER_REQUEST_TIMEOUT_MS',
			env.TETHER_REQUEST_TIMEOUT_MS,
			10_000,
			'milliseconds',
			1
		),
		maxConnectionsPerIp: parseCount(
			'TETHER_MAX_CONNECTIONS_PER_IP',
			env.TETHER_MAX_CONNECTIONS_PER_IP,
			128,
			'connections',
			1
		),
		maxDocBytes: mib * parseCount('TETHER_MAX_DOC_MB', env.TETHER_MAX_DOC_MB, 64, 'MiB', 1),
		maxAccountBytes:
			mib * parseCount('TETHER_MAX_ACCOUNT_MB', env.TETHER_MAX_ACCOUNT_MB, 1024, 'MiB', 1),
		maxSocketsPerAccount: parseCount(
			'TETHER_MAX_SOCKETS_PER_ACCOUNT',
			env.TETHER_MAX_SOCKETS_PER_ACCOUNT,
			200,
			'sockets'
		)
	};
}
