import type { IncomingMessage } from 'node:http';

/**
 * Who a request comes from, for per-address limits [HD7]. Behind a reverse proxy every request
 * comes from the proxy, so with TETHER_TRUST_PROXY the address the proxy appended last to
 * X-Forwarded-For is used (entries before it are whatever the client claimed). Without it the
 * header is ignored: anyone could send it.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
	const peer = req.socket.remoteAddress ?? 'unknown';
	if (!trustProxy) return peer;
	const header = req.headers['x-forwarded-for'];
	const value = Array.isArray(header) ? header.at(-1) : header;
	const last = value
		?.split(',')
		.map((part) => part.trim())
		.filter(Boolean)
		.at(-1);
	return last ?? peer;
}
