import type { Server } from 'node:http';
import type { Route } from '../http/api.js';
import type { Relay } from '../cluster/relay.js';
import type { DocStorage } from '../storage/types.js';
import {
	attachSyncEndpoint,
	type AuthenticateUpgrade,
	type SyncEndpointOptions,
	type SyncLimits
} from './endpoint.js';
import { DocRegistry } from './registry.js';
import { syncRoutes, type AuthenticateRequest } from './routes.js';

export type { AuthenticateRequest, AuthenticateUpgrade };

export interface SyncOptions {
	storage: DocStorage;
	authenticateUpgrade: AuthenticateUpgrade;
	authenticateRequest: AuthenticateRequest;
	/** How long a document stays loaded after its last connection closed. */
	docIdleMs: number;
	compactAfter?: number;
	/** Storage quotas [HD5]: per document and per account, in bytes. */
	maxDocBytes?: number;
	maxAccountBytes?: number;
	limits?: Partial<SyncLimits>;
	log?: (message: string, error?: unknown) => void;
	/** Several instances: the bus between them (see cluster/). */
	relay?: Relay;
	/** A loaded document was let go of [HD13]. */
	onUnload?: () => void;
}

/** The sync half of the server: the document registry, its socket endpoint and its routes. */
export function createSync(options: SyncOptions) {
	const registry = new DocRegistry(options.storage, {
		unloadAfterMs: options.docIdleMs,
		compactAfter: options.compactAfter ?? 200,
		maxDocBytes: options.maxDocBytes,
		maxAccountBytes: options.maxAccountBytes,
		maxIdleDocsPerAccount: 50,
		maxIdleDocs: 2000,
		log: options.log,
		relay: options.relay,
		onUnload: options.onUnload
	});
	const routes: Route[] = syncRoutes({
		storage: options.storage,
		registry,
		authenticateRequest: options.authenticateRequest
	});
	let endpoint: ReturnType<typeof attachSyncEndpoint> | undefined;
	return {
		registry,
		routes,
		attach(server: Server, http: Pick<SyncEndpointOptions, 'checkHost' | 'onAccepted'> = {}) {
			endpoint = attachSyncEndpoint(server, {
				registry,
				authenticateUpgrade: options.authenticateUpgrade,
				limits: options.limits,
				...http,
				log: options.log
			});
		},
		async close() {
			endpoint?.close();
			await registry.close();
		}
	};
}

/** Logs without the error's payload: messages only, so no document bytes or tokens reach logs. */
export function logSyncError(message: string, error?: unknown): void {
	const detail = error instanceof Error ? `: ${error.message}` : '';
	console.error(`tether sync: ${message}${detail}`);
}
