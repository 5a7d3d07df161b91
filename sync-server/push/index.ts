import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Agent } from 'node:https';
import {
	approvalNotice,
	settledApprovalNotice,
	type AskedApproval,
	type SettledApproval
} from '../../src/lib/core/approval-notice.js';
import { runNotice, type EndedRun } from '../../src/lib/core/run-notice.js';
import type { Route } from '../http/api.js';
import type { DocAccess } from '../runs/docs.js';
import { answerApproval } from './approval-answer.js';
import { createApprovalTokens, type ApprovalTokens } from './approval-token.js';
import { createNotifier } from './notifier.js';
import { readPushOptions } from './options.js';
import { pushRoutes } from './routes.js';
import type { PushStore } from './store.js';

export interface PushOptions {
	/** SQLite and DATA_DIR for one instance (`sqlitePushStore`), PostgreSQL for several. */
	store: PushStore;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
	/** The server secret: approval capabilities are signed with a key derived from it. */
	secret: string;
	/** Where a notification's decision is written (the session documents). */
	docs: DocAccess;
	env?: NodeJS.ProcessEnv;
	log?: (message: string, error?: unknown) => void;
	/** See NotifierOptions.agent. */
	agent?: Agent;
}

/** The key approval capabilities are signed with, derived from the server secret. */
export const approvalKey = (secret: string) =>
	createHmac('sha256', secret).update('tether/approval-key/v1').digest();

/** What the push of an approval carries: its notice and the capability to answer it. */
export function approvalPush(tokens: ApprovalTokens, accountId: string, asked: AskedApproval) {
	const approval = tokens.issue({
		accountId,
		sessionId: asked.sessionId,
		toolUseId: asked.toolUseId,
		expiresAt: asked.expiresAt
	});
	return { ...approvalNotice(asked), approval };
}

/**
 * Web Push: devices subscribe; a run that ends reaches each of them as a notification, and so
 * does a file change waiting for approval, with actions that answer it.
 */
export async function createPush(options: PushOptions): Promise<{
	routes: Route[];
	/** Resolves once every device was tried (tests wait on it; runs do not). */
	onRunEnded: (accountId: string, ended: EndedRun) => Promise<void>;
	/** Resolves once every device was tried (tests wait on it; runs do not). */
	onApprovalAsked: (accountId: string, asked: AskedApproval) => Promise<void>;
	/** Resolves once every device was tried (tests wait on it; runs do not). */
	onApprovalSettled: (accountId: string, settled: SettledApproval) => Promise<void>;
}> {
	const settings = readPushOptions(options.env);
	const vapid = await options.store.vapidKeys();
	const { subscriptions } = options.store;
	const approvalTokens = createApprovalTokens({ key: approvalKey(options.secret) });
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
			authenticateRequest: options.authenticateRequest,
			approvalTokens,
			answerApproval: (claims, decision) => answerApproval(options.docs, claims, decision)
		}),
		async onRunEnded(accountId, ended) {
			const notice = runNotice(ended);
			if (notice) await notifier.notify(accountId, notice);
		},
		async onApprovalAsked(accountId, asked) {
			await notifier.notify(accountId, approvalPush(approvalTokens, accountId, asked));
		},
		async onApprovalSettled(accountId, settled) {
			await notifier.notify(accountId, settledApprovalNotice(settled));
		}
	};
}
