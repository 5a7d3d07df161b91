import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { apiRouter, type Route } from './api.js';
import { apiPolicy, appPolicy, strictTransportSecurity } from './security-headers.js';
import { serveStatic } from './static-files.js';

export function createHttpServer(config: Config, routes: Route[]): http.Server {
	const api = apiRouter(routes);
	const files = serveStatic(config.appDir);
	const policy = appPolicy(config.appDir);
	const handle = (req: IncomingMessage, res: ServerResponse) => {
		res.setHeader('x-content-type-options', 'nosniff');
		res.setHeader('referrer-policy', 'no-referrer');
		if (config.tls) res.setHeader('strict-transport-security', strictTransportSecurity);
		const pathname = (req.url ?? '/').split('?')[0] ?? '/';
		if (pathname === '/api' || pathname.startsWith('/api/')) {
			res.setHeader('content-security-policy', apiPolicy);
			void api(req, res);
			return;
		}
		res.setHeader('content-security-policy', policy());
		files(req, res);
	};
	if (config.tls) {
		return https.createServer(
			{ cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) },
			handle
		);
	}
	return http.createServer(handle);
}
