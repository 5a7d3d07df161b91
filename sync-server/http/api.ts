import type { IncomingMessage, ServerResponse } from 'node:http';

/** A typed error that one place (sendError) turns into an HTTP status and JSON body. */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface Route {
	method: 'GET' | 'POST' | 'DELETE';
	path: string;
	handler: Handler;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
	res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, error: unknown): void {
	if (error instanceof HttpError) {
		sendJson(res, error.status, { error: { code: error.code, message: error.message } });
		return;
	}
	console.error('unexpected error in API handler:', error instanceof Error ? error.message : error);
	sendJson(res, 500, { error: { code: 'internal', message: 'Internal server error' } });
}

/** Reads a JSON body of at most maxBytes; anything else is a 400 or 413 in words. */
export async function readJson(req: IncomingMessage, maxBytes = 64 * 1024): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > maxBytes) throw new HttpError(413, 'too_large', 'Request body is too large');
		chunks.push(chunk);
	}
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw new HttpError(400, 'bad_json', 'Request body is not valid JSON');
	}
}

/** Dispatches /api requests to the first route whose method and path match. */
export function apiRouter(routes: Route[]) {
	return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
		const forPath = routes.filter((r) => r.path === pathname);
		const route = forPath.find((r) => r.method === req.method);
		try {
			if (!route) {
				throw forPath.length
					? new HttpError(405, 'method_not_allowed', 'Method not allowed')
					: new HttpError(404, 'not_found', 'Not found');
			}
			await route.handler(req, res);
		} catch (error) {
			if (!res.headersSent) sendError(res, error);
			else res.destroy();
		}
	};
}
