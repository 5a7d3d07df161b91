import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/api.js';

/**
 * Origin rules (S4, S8). Browsers send Origin on every WebSocket handshake and every
 * cross-origin or POST fetch, and a page cannot forge it; so:
 * - an Origin must be this server's own (same host as the Host header, http or https: a TLS
 *   proxy in front changes the scheme) or one of TETHER_ALLOWED_ORIGINS, else 403;
 * - no Origin at all means a non-browser client (Node, curl): allowed through this check, it
 *   still needs a token or an API key like anyone else, and no page can make a browser omit it.
 * `Origin: null` (sandboxed frames, file: pages) is refused. No CORS headers are ever sent, so
 * a foreign page can neither preflight nor read an answer.
 */
export function isAllowedOrigin(
	origin: string | undefined,
	host: string | undefined,
	allowedOrigins: readonly string[]
): boolean {
	if (origin === undefined) return true;
	if (allowedOrigins.includes(origin)) return true;
	let parsed: URL;
	try {
		parsed = new URL(origin);
	} catch {
		return false;
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
	if (!host || parsed.origin !== origin.replace(/\/$/, '')) return false;
	try {
		// Parse the Host with the origin's scheme so default ports compare equal (x:443 = x).
		return new URL(`${parsed.protocol}//${host}`).host === parsed.host;
	} catch {
		return false;
	}
}

export function checkOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): void {
	const origin = req.headers.origin;
	if (!isAllowedOrigin(origin, req.headers.host, allowedOrigins)) {
		throw new HttpError(403, 'bad_origin', 'Requests from this origin are not allowed');
	}
}
