import type { AddressInfo } from 'node:net';
import { createAuth } from './auth/index.js';
import { loadSecret } from './auth/secret.js';
import { ConfigError, readConfig } from './config.js';
import { healthRoutes } from './http/health.js';
import { loopDelay } from './http/loop-delay.js';
import { createHttpServer } from './http/server.js';
import { createSqliteStorage, openDatabase } from './storage/sqlite.js';
import { createPush } from './push/index.js';
import { sqlitePushStore } from './push/store.js';
import type { Relay } from './cluster/relay.js';
import type { DocStorage } from './storage/types.js';
import { createRuns } from './runs/index.js';
import { heldDocs } from './sync/held-docs.js';
import { fullCollection, MemoryReducer } from './memory-reducer.js';
import { createSync, logSyncError } from './sync/index.js';

// Wiring only: every capability lives in its own module.
let config, db, auth, storage: DocStorage, sync, runs, push, relay: Relay | undefined;
// After a burst of unloads, one full collection once things are quiet gives the memory back (R11).
const memory = new MemoryReducer({
	collect: fullCollection() ?? (() => {}),
	quietMs: 1000,
	minUnloads: 50,
	minIntervalMs: 5000
});
try {
	config = readConfig();
	// SQLite in DATA_DIR always: the default store, and the local run log with PostgreSQL.
	db = openDatabase(config.dataDir);
	// pg and ioredis load only when configured: the default start stays as quick as before.
	const postgres = config.databaseUrl ? await import('./storage/postgres.js') : undefined;
	const pool =
		postgres && config.databaseUrl ? postgres.openPostgres(config.databaseUrl) : undefined;
	// Auth keeps its account table in the same database as the documents.
	auth = createAuth({ config, db, pool });
	storage =
		postgres && pool
			? await postgres.createPostgresStorage(pool).catch((error: unknown) => {
					throw new ConfigError(`cannot use DATABASE_URL: ${(error as Error).message}`);
				})
			: createSqliteStorage(db);
	const redis = config.redisUrl ? await import('./cluster/redis-relay.js') : undefined;
	relay =
		redis && config.redisUrl
			? await redis
					.createRedisRelay(config.redisUrl, (message) => console.error(`tether: ${message}`))
					.catch((error: unknown) => {
						throw new ConfigError((error as Error).message);
					})
			: undefined;
	sync = createSync({
		relay,
		storage,
		authenticateUpgrade: auth.authenticateUpgrade,
		authenticateRequest: auth.authenticateRequest,
		docIdleMs: config.docIdleMs,
		maxDocBytes: config.maxDocBytes,
		maxAccountBytes: config.maxAccountBytes,
		limits: { maxConnectionsPerAccount: config.maxSocketsPerAccount },
		log: logSyncError,
		onUnload: () => memory.unloaded()
	});
	const docs = heldDocs(sync.registry);
	// Log lines about runs and pushes name the instance, so an operator can tell which one it was.
	const instance = `instance ${config.instanceId}`;
	const describe = (error: unknown) => (error instanceof Error ? `: ${error.message}` : '');
	// With PostgreSQL every instance signs with one VAPID key and reaches every device ([IN7]).
	const pushStore = pool
		? (await import('./push/postgres-store.js')).postgresPushStore(pool)
		: sqlitePushStore(db, config.dataDir);
	push = await createPush({
		store: pushStore,
		authenticateRequest: auth.authenticateRequest,
		// The same secret auth read (TETHER_SECRET or DATA_DIR/secret).
		secret: loadSecret(config),
		docs,
		log: (message, error) =>
			console.error(`tether push (${instance}): ${message}${describe(error)}`)
	}).catch((error: unknown) => {
		throw new ConfigError(`cannot set up Web Push: ${(error as Error).message}`);
	});
	runs = createRuns({
		db,
		relay,
		pool,
		instanceId: config.instanceId,
		instanceTimeoutMs: config.instanceTimeoutMs,
		docs,
		authenticateRequest: auth.authenticateRequest,
		accountOfKey: auth.accountOfKey,
		defaultModel: config.defaultModel,
		idleMs: config.runIdleMs,
		onRunEnded: push.onRunEnded,
		onApprovalAsked: push.onApprovalAsked,
		onApprovalSettled: push.onApprovalSettled,
		maxToolRounds: config.maxToolRounds,
		approvalMs: config.approvalMs,
		log: (message, error) =>
			console.error(`tether runs (${instance}): ${message}${describe(error)}`)
	});
} catch (error) {
	if (error instanceof ConfigError) {
		console.error(`tether: ${error.message}`);
		process.exit(1);
	}
	throw error;
}

const { registry } = sync;
const loop = loopDelay();
const { server, release, checkHost } = createHttpServer(config, [
	...healthRoutes(() => ({
		instance: config.instanceId,
		loadedDocs: registry.loadedCount,
		...loop(),
		...(relay ? { redis: relay.status() } : {})
	})),
	...auth.routes,
	...sync.routes,
	...runs.routes,
	...push.routes
]);
sync.attach(server, { checkHost, onAccepted: release });

// Scrubs of deletions that a crash interrupted finish before anything is served (R16).
await registry.recover();
// Runs a crash left running end interrupted; queued ones wait to be asked again (R20).
await runs.manager.recover();
// With PostgreSQL: says this instance is alive, and ends the runs of instances that are not ([IN12]).
await runs.start();

server.listen(config.port, config.host, () => {
	const { port } = server.address() as AddressInfo;
	const scheme = config.tls ? 'https' : 'http';
	// Everything is said before the "listening" line, which tests wait for, so it is there when they read it.
	if (config.tls) console.log(`tether: serving HTTPS with the certificate ${config.tls.cert}`);
	console.log(`tether: instance ${config.instanceId}`);
	if (!config.tls && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
		// Browsers allow service workers and installing only on https or localhost.
		console.log('tether: plain HTTP; other devices need HTTPS to install Tether (see README)');
	}
	// Tests start the server on port 0 and read the real port from this line.
	console.log(`tether listening on ${scheme}://${config.host}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		server.close();
		// Let queued stores reach the disk before the database closes, but never hang on it.
		setTimeout(() => process.exit(1), 5000).unref();
		// The registry waits for its appends; closing the storage stops the writer thread and the
		// database after them.
		// Running answers end interrupted with what they have, stored before the documents close.
		void runs
			.close()
			.then(() => sync.close())
			.then(() => relay?.close())
			.then(() => storage.close())
			.finally(() => process.exit(0));
	});
}
