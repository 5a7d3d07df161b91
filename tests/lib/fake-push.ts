/**
 * A local Web Push service for tests: HTTPS on 127.0.0.1 with a self-signed certificate, records
 * what it receives; a path ending in /gone answers 410 as for an expired subscription. `device`
 * is a browser's side of a subscription, and `decrypt` reads a push as that browser would.
 *
 *   const push = await fakePushService(dir);   // push.origin, push.received, push.cert (a file)
 *   const phone = device(`${push.origin}/push/phone`);   // phone.subscription to POST
 */
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { selfSigned } from './self-signed.js';

// The decryption half of RFC 8188/8291, from the library web-push encrypts with.
const ece = createRequire(import.meta.url)('http_ece') as {
	decrypt(
		body: Buffer,
		params: { version: string; privateKey: unknown; authSecret: string }
	): Buffer;
};

export interface Received {
	path: string;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

export async function fakePushService(dir: string) {
	const files = selfSigned(dir, 'push-service');
	const tls = { cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) };
	const received: Received[] = [];
	const server = https.createServer(tls, (req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
			res.writeHead(req.url?.endsWith('/gone') ? 410 : 201).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		origin,
		received,
		/** The certificate's file, for NODE_EXTRA_CA_CERTS of a server process. */
		certFile: files.cert,
		/** Its content, for an https.Agent in this process. */
		cert: tls.cert,
		close: () => new Promise((r) => server.close(r))
	};
}

export type FakePushService = Awaited<ReturnType<typeof fakePushService>>;

/** A browser's side of a subscription: its key pair and auth secret. */
export function device(endpoint: string) {
	const ecdh = createECDH('prime256v1');
	ecdh.generateKeys();
	const auth = randomBytes(16).toString('base64url');
	return {
		ecdh,
		auth,
		subscription: {
			endpoint,
			keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth }
		}
	};
}

/** The plaintext of a push, decrypted with the device's keys (RFC 8291). */
export function decrypt(body: Buffer, to: { ecdh: ECDH; auth: string }): string {
	return ece
		.decrypt(body, { version: 'aes128gcm', privateKey: to.ecdh, authSecret: to.auth })
		.toString('utf8');
}
