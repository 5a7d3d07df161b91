import { sendJson, type Route } from './api.js';

/** `stats` adds live figures (e.g. loaded documents) that tests poll instead of sleeping. */
export function healthRoutes(stats: () => Record<string, number> = () => ({})): Route[] {
	return [
		{
			method: 'GET',
			path: '/api/health',
			handler: (_req, res) => sendJson(res, 200, { ok: true, ...stats() })
		}
	];
}
