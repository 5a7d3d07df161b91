import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { apiRouter, type Route } from './api.js';
import { serveStatic } from './static-files.js';

// Model output is rendered as sanitized Markdown; the policy is the second line of defence:
// no inline scripts, no remote images, sockets only to this origin.
const contentSecurityPolicy = [
	"default-src 'self'",
	"script-src 'self' 'unsafe-inline'",
	"style-src 'self' 'unsafe-inline'",
	"img-src 'self' data: blob:",
	"connect-src 'self'",
	"worker-src 'self'",
	"object-src 'none'",
	"base-uri 'self'",
	"frame-ancestors 'none'"
].join('; ');

export function createHttpServer(config: Config, routes: Route[]): http.Server {
	const api = apiRouter(routes);
	const files = serveStatic(config.appDir);
	const handle = (req: IncomingMessage, res: ServerResponse) => {
		res.setHeader('x-content-type-options', 'nosniff');
		res.setHeader('referrer-policy', 'no-referrer');
		const pathname = (req.url ?? '/').split('?')[0] ?? '/';
		if (pathname === '/api' || pathname.startsWith('/api/')) {
			void api(req, res);
			return;
		}
		res.setHeader('content-security-policy', contentSecurityPolicy);
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
