import type { IncomingMessage } from 'node:http';
import { checkApiKeyFormat } from '../../src/lib/core/api-key.js';
import { HttpError, readJson, sendJson, type Route } from '../http/api.js';
import type { RunManager } from './manager.js';
import { defaultModel, type ModelCache, type OfferedModel } from './models.js';
import type Anthropic from '@anthropic-ai/sdk';

export interface RunRouteDeps {
	runs: RunManager;
	models: ModelCache;
	client: (apiKey: string) => Anthropic;
	listModels: (client: Anthropic) => Promise<OfferedModel[]>;
	defaultModel?: string;
	authenticateRequest: (req: IncomingMessage) => { accountId: string };
	/** The account a key belongs to (the same HMAC as sign-in), without creating one. */
	accountOfKey: (apiKey: string) => Promise<string | null>;
	/** Several instances: passes Stop on to the others, one of which may run the answer. */
	stopElsewhere?: (accountId: string, sessionId: string, messageId?: string) => void;
}

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * POST /api/runs {sessionId, messageId, attempt} (x-api-key): run the answer to a message.
 * POST /api/runs/stop {sessionId, messageId?}: stop the session's running answer.
 * GET /api/models (x-api-key): the models this key may use, and the default.
 */
export function runRoutes(deps: RunRouteDeps): Route[] {
	/** The token's account, and the key that must belong to it; the key is never stored. */
	async function keyFor(req: IncomingMessage): Promise<{ accountId: string; apiKey: string }> {
		const { accountId } = deps.authenticateRequest(req);
		const raw = req.headers['x-api-key'];
		const checked = checkApiKeyFormat(typeof raw === 'string' ? raw : '');
		if (!checked.ok) throw new HttpError(400, 'missing_key', 'Send the API key in x-api-key');
		if ((await deps.accountOfKey(checked.key)) !== accountId) {
			throw new HttpError(403, 'key_mismatch', 'That API key does not belong to this account');
		}
		return { accountId, apiKey: checked.key };
	}

	return [
		{
			method: 'POST',
			path: '/api/runs',
			handler: async (req, res) => {
				const { accountId, apiKey } = await keyFor(req);
				const body = (await readJson(req, 4096)) as Record<string, unknown> | null;
				const sessionId = idField(body, 'sessionId');
				const messageId = idField(body, 'messageId');
				const attempt = body?.attempt ?? 1;
				if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
					throw new HttpError(400, 'bad_request', 'attempt must be a whole number from 1');
				}
				const result = await deps.runs.ask({ accountId, apiKey, sessionId, messageId, attempt });
				sendJson(res, 202, result);
			}
		},
		{
			method: 'POST',
			path: '/api/runs/stop',
			handler: async (req, res) => {
				const { accountId } = deps.authenticateRequest(req);
				const body = (await readJson(req, 4096)) as Record<string, unknown> | null;
				const sessionId = idField(body, 'sessionId');
				const messageId = body?.messageId === undefined ? undefined : idField(body, 'messageId');
				const stopped = deps.runs.stop(accountId, sessionId, messageId);
				if (!stopped) deps.stopElsewhere?.(accountId, sessionId, messageId);
				sendJson(res, 200, {
					stopped,
					...(deps.stopElsewhere && !stopped ? { relayed: true } : {})
				});
			}
		},
		{
			method: 'GET',
			path: '/api/models',
			handler: async (req, res) => {
				const { accountId, apiKey } = await keyFor(req);
				let models: OfferedModel[];
				try {
					models = await deps.models.get(accountId, () => deps.listModels(deps.client(apiKey)));
				} catch {
					throw new HttpError(502, 'api_unreachable', 'Cannot list models from the Anthropic API');
				}
				sendJson(res, 200, {
					models,
					default: defaultModel(models, deps.defaultModel)?.id ?? null
				});
			}
		}
	];
}

function idField(body: Record<string, unknown> | null, name: string): string {
	const value = body?.[name];
	if (typeof value !== 'string' || !idPattern.test(value)) {
		throw new HttpError(400, 'bad_request', `${name} must be an id`);
	}
	return value;
}
