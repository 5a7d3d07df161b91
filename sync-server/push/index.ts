import type { IncomingMessage } from 'node:http';
import type { Agent } from 'node:https';
import type { Database } from 'better-sqlite3';
import { runNotice, type EndedRun } from '../../src/lib/core/run-notice.js';
import type { Route } from '../http/api.js';
import { createNotifier } from './notifier.js';
import { readPushOptions } from './options.js';
import { pushRoutes } from './routes.js';
import { createSubscriptions } from './subscriptions.js';
import { loadVapidKeys } from './vapid.js';

export interface PushOptions {
	db: Database;
	dataDir: string;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
	env?: NodeJS.ProcessEnv;
	log?: (message: string, error?: unknown) => void;
	/** See NotifierOptions.agent. */
	agent?: Agent;
}

/** Web Push: devices subscribe, and a run that ends reaches each of them as a notification. */
export function createPush(options: PushOptions): {
	routes: Route[];
	/** Resolves once every device was tried (tests wait on it; runs do not). */
	onRunEnded: (accountId: string, ended: EndedRun) => Promise<void>;
} {
	const settings = readPushOptions(options.env);
	const vapid = loadVapidKeys(options.dataDir);
	const subscriptions = createSubscriptions(options.db);
	const notifier = createNotifier({
		subscriptions,
		vapid,
		subject: settings.subject,
		onError: options.log,
		agent: options.agent
	});
	return {
		routes: pushRoutes({
			publicKey: vapid.publicKey,
			services: settings.services,
			subscriptions,
			authenticateRequest: options.authenticateRequest
		}),
		async onRunEnded(accountId, ended) {
			const notice = runNotice(ended);
			if (notice) await notifier.notify(accountId, notice);
		}
	};
}
