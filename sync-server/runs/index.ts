import type { IncomingMessage } from 'node:http';
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import type { Relay } from '../cluster/relay.js';
import type { Route } from '../http/api.js';
import type { DocAccess } from './docs.js';
import { RunManager, type RunManagerOptions } from './manager.js';
import { listModels, ModelCache } from './models.js';
import { createRunLog } from './run-log.js';
import { runRoutes } from './routes.js';
import { anthropicClient } from './upstream.js';
import { postgresClaims } from './shared-claims.js';

export interface RunsOptions {
	db: Database;
	docs: DocAccess;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
	accountOfKey: (apiKey: string) => Promise<string | null>;
	defaultModel?: string;
	idleMs: number;
	maxToolRounds?: number;
	approvalMs?: number;
	log?: (message: string, error?: unknown) => void;
	onRunEnded?: RunManagerOptions['onRunEnded'];
	onApprovalAsked?: RunManagerOptions['onApprovalAsked'];
	onApprovalSettled?: RunManagerOptions['onApprovalSettled'];
	/** Several instances: Stop reaches the instance that runs the answer. */
	relay?: Relay;
	/** With PostgreSQL: one run per message across instances. */
	pool?: pg.Pool;
	/** Recorded with each shared claim: which instance runs it ([IN10]). */
	instanceId: string;
	/** With PostgreSQL: an instance silent this long is gone; its runs are ended here ([IN12]). */
	instanceTimeoutMs: number;
}

/** Claude runs on the server: the manager, its log, the model lists and the routes. */
export function createRuns(options: RunsOptions): {
	routes: Route[];
	manager: RunManager;
	/** After `manager.recover()`: with PostgreSQL, says this instance is alive and keeps saying it. */
	start(): Promise<void>;
	/** Stops saying so and ends what runs (shutdown). */
	close(): Promise<void>;
} {
	const models = new ModelCache();
	const shared =
		options.pool &&
		postgresClaims(options.pool, {
			instanceId: options.instanceId,
			instanceTimeoutMs: options.instanceTimeoutMs
		});
	const manager = new RunManager({
		docs: options.docs,
		log: createRunLog(options.db),
		models,
		client: (apiKey, onRetryableStatus) => anthropicClient(apiKey, { onRetryableStatus }),
		listModels,
		defaultModel: options.defaultModel,
		idleMs: options.idleMs,
		maxToolRounds: options.maxToolRounds,
		approvalMs: options.approvalMs,
		onError: options.log,
		onRunEnded: options.onRunEnded,
		onApprovalAsked: options.onApprovalAsked,
		onApprovalSettled: options.onApprovalSettled,
		sharedClaims: shared
	});
	const relay = options.relay;
	relay?.onMessage((message) => {
		if (message.kind === 'stop')
			manager.stop(message.accountId, message.sessionId, message.messageId);
	});
	const routes = runRoutes({
		runs: manager,
		models,
		client: (apiKey) => anthropicClient(apiKey),
		listModels,
		defaultModel: options.defaultModel,
		authenticateRequest: options.authenticateRequest,
		accountOfKey: options.accountOfKey,
		stopElsewhere:
			relay &&
			((accountId, sessionId, messageId) =>
				relay.publish({ kind: 'stop', accountId, sessionId, ...(messageId ? { messageId } : {}) }))
	});
	let timer: NodeJS.Timeout | undefined;
	// Beat and look for gone instances' runs a few times per timeout, so a beat late by less than
	// the timeout never makes a live instance look gone.
	const tick = async () => {
		if (!shared) return;
		await shared.beat();
		const taken = await manager.recoverShared();
		if (taken > 0) options.log?.(`took over ${taken} runs of instances that stopped answering`);
	};
	return {
		routes,
		manager,
		async start() {
			if (!shared) return;
			await tick();
			timer = setInterval(
				() => {
					tick().catch((error: unknown) =>
						options.log?.('looking for runs of gone instances failed', error)
					);
				},
				Math.max(250, options.instanceTimeoutMs / 4)
			);
			timer.unref();
		},
		async close() {
			clearInterval(timer);
			await manager.close();
		}
	};
}
