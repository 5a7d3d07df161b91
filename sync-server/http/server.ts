import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';
import { apiRouter, sendJson, type Route } from './api.js';
import { capConnections } from './connection-cap.js';
import { hostCheck, type HostCheck } from './hosts.js';
import { apiPolicy, appPolicy, strictTransportSecurity } from './security-headers.js';
import { serveStatic } from './static-files.js';

/** The server, and `release` for a socket the sync endpoint accepted (out of the per-address cap). */
export function createHttpServer(
	config: Config,
	routes: Route[]
): { server: http.Server; release: (socket: Duplex) => void; checkHost: HostCheck } {
	const api = apiRouter(routes);
	const hostAllowed = hostCheck(config);
	const files = serveStatic(config.appDir);
	const policy = appPolicy(config.appDir);
	const handle = (req: IncomingMessage, res: ServerResponse) => {
		res.setHeader('x-content-type-options', 'nosniff');
		res.setHeader('referrer-policy', 'no-referrer');
		if (config.tls) res.setHeader('strict-transport-security', strictTransportSecurity);
		if (!hostAllowed(req.headers.host)) {
			res.setHeader('content-security-policy', apiPolicy);
			sendJson(res, 421, {
				error: { code: 'bad_host', message: 'This server does not answer to that host name' }
			});
			return;
		}
		const pathname = (req.url ?? '/').split('?')[0] ?? '/';
		if (pathname === '/api' || pathname.startsWith('/api/')) {
			res.setHeader('content-security-policy', apiPolicy);
			void api(req, res);
			return;
		}
		res.setHeader('content-security-policy', policy());
		files(req, res);
	};
	// Slow or unfinished headers and bodies (slowloris) and idle keep-alive sockets are closed
	// within the request timeout; Node checks them every second rather than every 30 s [HD6].
	const timeouts = {
		requestTimeout: config.requestTimeoutMs,
		headersTimeout: config.requestTimeoutMs,
		keepAliveTimeout: Math.min(5000, config.requestTimeoutMs),
		connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs)
	};
	const server = config.tls
		? https.createServer(
				{
					cert: fs.readFileSync(config.tls.cert),
					key: fs.readFileSync(config.tls.key),
					handshakeTimeout: config.requestTimeoutMs,
					...timeouts
				},
				handle
			)
		: http.createServer(timeouts, handle);
	const cap = capConnections(server, config.maxConnectionsPerIp, Boolean(config.tls));
	return { server, release: cap.release, checkHost: hostAllowed };
}
