import { sendJson, type Route } from './api.js';

export function healthRoutes(): Route[] {
	return [
		{ method: 'GET', path: '/api/health', handler: (_req, res) => sendJson(res, 200, { ok: true }) }
	];
}
