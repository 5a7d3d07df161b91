import type { IncomingMessage } from 'node:http';
import { HttpError, readJson, sendJson, type Route } from '../http/api.js';
import type { Subscriptions } from './subscriptions.js';
import { checkPushTarget } from './target.js';

export interface PushRouteDeps {
	publicKey: string;
	services: readonly string[];
	subscriptions: Subscriptions;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
}

/**
 * GET /api/push/key: the VAPID public key a device subscribes with.
 * POST /api/push/subscriptions {endpoint, keys}: this device wants notifications.
 * DELETE /api/push/subscriptions {endpoint}: it no longer does.
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
		}
	];
}
