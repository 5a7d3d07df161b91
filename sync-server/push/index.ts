import type { IncomingMessage } from 'node:http';
import type { Agent } from 'node:https';
import { runNotice, type EndedRun } from '../../src/lib/core/run-notice.js';
import type { Route } from '../http/api.js';
import { createNotifier } from './notifier.js';
import { readPushOptions } from './options.js';
import { pushRoutes } from './routes.js';
import type { PushStore } from './store.js';

export interface PushOptions {
	/** SQLite and DATA_DIR for one instance (`sqlitePushStore`), PostgreSQL for several. */
	store: PushStore;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
	env?: NodeJS.ProcessEnv;
	log?: (message: string, error?: unknown) => void;
	/** See NotifierOptions.agent. */
	agent?: Agent;
}

/** Web Push: devices subscribe, and a run that ends reaches each of them as a notification. */
export async function createPush(options: PushOptions): Promise<{
	routes: Route[];
	/** Resolves once every device was tried (tests wait on it; runs do not). */
	onRunEnded: (accountId: string, ended: EndedRun) => Promise<void>;
}> {
	const settings = readPushOptions(options.env);
	const vapid = await options.store.vapidKeys();
	const { subscriptions } = options.store;
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
