import { sendJson, type Route } from './api.js';

/**
 * `stats` adds live figures (e.g. loaded documents) that tests poll instead of sleeping, and with
 * several instances whether Redis is reachable (`redis: "ok" | "down"`): an instance without it
 * still serves its own clients, so it stays `ok`.
 */
export function healthRoutes(stats: () => Record<string, number | string> = () => ({})): Route[] {
	return [
		{
			method: 'GET',
			path: '/api/health',
			handler: (_req, res) => sendJson(res, 200, { ok: true, ...stats() })
		}
	];
}
