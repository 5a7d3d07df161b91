import { HttpError } from '../http/api.js';
import { allowedEndpoint } from './options.js';
import type { PushTarget } from './subscriptions.js';

const base64url = /^[A-Za-z0-9_-]+={0,2}$/;

/** The subscription a device sent, checked; a 400 in words for anything else. */
export function checkPushTarget(body: unknown, services: readonly string[]): PushTarget {
	const value = body as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
	const endpoint = value?.endpoint;
	if (typeof endpoint !== 'string' || endpoint.length > 2048) {
		throw new HttpError(
			400,
			'bad_subscription',
			'endpoint must be a URL of at most 2048 characters'
		);
	}
	let url: URL;
	try {
		url = new URL(endpoint);
	} catch {
		throw new HttpError(400, 'bad_subscription', 'endpoint must be a URL');
	}
	if (!allowedEndpoint(url, services)) {
		throw new HttpError(400, 'push_service_not_allowed', 'That push service is not allowed here');
	}
	const p256dh = decoded(value?.keys?.p256dh);
	const auth = decoded(value?.keys?.auth);
	// An uncompressed P-256 point and a 16-byte secret (RFC 8291).
	if (!p256dh || p256dh.length !== 65 || p256dh[0] !== 4 || !auth || auth.length !== 16) {
		throw new HttpError(
			400,
			'bad_subscription',
			'keys must hold a P-256 p256dh and a 16-byte auth'
		);
	}
	return {
		endpoint: url.href,
		keys: { p256dh: value!.keys!.p256dh as string, auth: value!.keys!.auth as string }
	};
}

function decoded(raw: unknown): Buffer | undefined {
	if (typeof raw !== 'string' || raw.length > 200 || !base64url.test(raw)) return undefined;
	return Buffer.from(raw, 'base64url');
}
