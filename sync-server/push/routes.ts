import type { IncomingMessage } from 'node:http';
import { approvalActions, type ApprovalAction } from '../../src/lib/core/approval-notice.js';
import { HttpError, readJson, sendJson, type Route } from '../http/api.js';
import type { ApprovalClaims, ApprovalTokens } from './approval-token.js';
import type { Subscriptions } from './subscriptions.js';
import { checkPushTarget } from './target.js';

export interface PushRouteDeps {
	publicKey: string;
	services: readonly string[];
	subscriptions: Subscriptions;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
	approvalTokens: ApprovalTokens;
	answerApproval: (claims: ApprovalClaims, decision: ApprovalAction) => Promise<void>;
}

/**
 * GET /api/push/key: the VAPID public key a device subscribes with.
 * POST /api/push/subscriptions {endpoint, keys}: this device wants notifications.
 * DELETE /api/push/subscriptions {endpoint}: it no longer does.
 * POST /api/push/approval {token, decision}: a notification's "Approve" or "Deny"; the token is
 * the capability the notification carried (no sign-in token: the app may not be open).
 */
export function pushRoutes(deps: PushRouteDeps): Route[] {
	return [
		{
			method: 'GET',
			path: '/api/push/key',
			handler: (_req, res) => sendJson(res, 200, { publicKey: deps.publicKey })
		},
		{
			method: 'POST',
			path: '/api/push/subscriptions',
			handler: async (req, res) => {
				const { accountId } = deps.authenticateRequest(req);
				const target = checkPushTarget(await readJson(req, 4096), deps.services);
				await deps.subscriptions.add(accountId, target);
				sendJson(res, 201, { ok: true });
			}
		},
		{
			method: 'DELETE',
			path: '/api/push/subscriptions',
			handler: async (req, res) => {
				const { accountId } = deps.authenticateRequest(req);
				const body = (await readJson(req, 4096)) as { endpoint?: unknown } | null;
				if (typeof body?.endpoint !== 'string') {
					throw new HttpError(400, 'bad_request', 'endpoint is required');
				}
				await deps.subscriptions.remove(accountId, body.endpoint);
				sendJson(res, 200, { ok: true });
			}
		},
		{
			method: 'POST',
			path: '/api/push/approval',
			handler: async (req, res) => {
				const body = (await readJson(req, 4096)) as { token?: unknown; decision?: unknown } | null;
				const decision = approvalActions.find((action) => action === body?.decision);
				if (typeof body?.token !== 'string' || !decision) {
					throw new HttpError(
						400,
						'bad_request',
						'token and decision (approve or deny) are required'
					);
				}
				await deps.answerApproval(deps.approvalTokens.verify(body.token), decision);
				sendJson(res, 200, { ok: true });
			}
		}
	];
}
