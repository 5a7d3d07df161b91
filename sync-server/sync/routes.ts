import type { IncomingMessage } from 'node:http';
import { isDocName, type DocName } from '../../src/lib/core/doc-names.js';
import { HttpError, readJson, sendJson, type Route } from '../http/api.js';
import { docKey, type DocStorage } from '../storage/types.js';
import type { Authenticated } from './endpoint.js';
import type { DocRegistry } from './registry.js';

/** Reads `Authorization: Bearer <token>`; throws an HttpError (401) when refused. */
export type AuthenticateRequest = (req: IncomingMessage) => Authenticated | Promise<Authenticated>;

const maxNamesPerDelete = 500;

/**
 * GET /api/changes?since=<cursor>: which of the caller's documents changed or were deleted, for
 * background catch-up of documents without a live socket.
 * POST /api/docs/delete { names }: purge and tombstone documents (idempotent).
 */
export function syncRoutes(deps: {
	storage: DocStorage;
	registry: DocRegistry;
	authenticateRequest: AuthenticateRequest;
}): Route[] {
	return [
		{
			method: 'GET',
			path: '/api/changes',
			handler: async (req, res) => {
				const { accountId } = await deps.authenticateRequest(req);
				const since = parseCursor(new URL(req.url ?? '/', 'http://localhost').searchParams);
				sendJson(res, 200, await deps.storage.changesSince(accountId, since));
			}
		},
		{
			method: 'POST',
			path: '/api/docs/delete',
			handler: async (req, res) => {
				const { accountId } = await deps.authenticateRequest(req);
				const names = parseNames(await readJson(req));
				await deps.registry.deleteMany(names.map((name) => docKey(accountId, name)));
				sendJson(res, 200, { deleted: names });
			}
		}
	];
}

function parseCursor(params: URLSearchParams): number {
	const raw = params.get('since') ?? '0';
	const since = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(since)) {
		throw new HttpError(400, 'bad_cursor', 'since must be a cursor returned by this endpoint');
	}
	return since;
}

function parseNames(body: unknown): DocName[] {
	const names = (body as { names?: unknown } | null)?.names;
	if (!Array.isArray(names)) throw new HttpError(400, 'bad_names', 'names must be a list');
	if (names.length > maxNamesPerDelete) {
		throw new HttpError(
			413,
			'too_many_names',
			`At most ${maxNamesPerDelete} names per request; send the rest in another`
		);
	}
	for (const name of names) {
		if (typeof name !== 'string' || !isDocName(name)) {
			throw new HttpError(400, 'bad_names', 'names must be document names');
		}
		// The account document is the account itself; deleting it would tombstone the account.
		if (name === 'account')
			throw new HttpError(400, 'bad_names', 'the account document cannot be deleted');
	}
	return [...new Set(names as DocName[])];
}
