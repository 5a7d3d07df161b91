import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EndedRun } from '../../src/lib/core/run-notice.js';
import {
	decrypt,
	device,
	fakePushService,
	type FakePushService
} from '../../tests/lib/fake-push.js';
import { apiRouter, HttpError } from '../http/api.js';
import { createPush } from './index.js';
import { sqlitePushStore } from './store.js';

const ended: EndedRun = {
	projectId: 'p1',
	sessionId: 's1',
	answerId: 'a1',
	status: 'done',
	sessionTitle: 'Trip 🗺️ رحلة',
	text: 'Here is the plan.'
};

describe('Web Push [NT2] [NT3]', () => {
	let dir: string;
	let db: Database.Database;
	let pushService: FakePushService;
	let api: http.Server;
	let apiUrl: string;
	let push: Awaited<ReturnType<typeof createPush>>;

	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-push-'));
		db = new Database(':memory:');
		pushService = await fakePushService(dir);
		push = await createPush({
			store: sqlitePushStore(db, dir),
			env: { TETHER_PUSH_SERVICES: pushService.origin },
			agent: new https.Agent({ ca: pushService.cert }),
			authenticateRequest: (req) => {
				const account = req.headers['x-account'];
				if (typeof account !== 'string') throw new HttpError(401, 'unauthorized', 'no token');
				return { accountId: account };
			}
		});
		api = http.createServer(apiRouter(push.routes));
		await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
		apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
	});

	afterEach(async () => {
		await new Promise((r) => api.close(r));
		await pushService.close();
		db.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	const subscribe = (account: string | undefined, body: unknown) =>
		fetch(`${apiUrl}/api/push/subscriptions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(account ? { 'x-account': account } : {}) },
			body: JSON.stringify(body)
		});

	it('[NT2] delivers an ended run to each device of the account, encrypted (RFC 8291) and VAPID-signed (RFC 8292)', async () => {
		const phone = device(`${pushService.origin}/push/phone`);
		const other = device(`${pushService.origin}/push/other-account`);
		expect((await subscribe('alice', phone.subscription)).status).toBe(201);
		expect((await subscribe('bob', other.subscription)).status).toBe(201);
		const { publicKey } = (await (await fetch(`${apiUrl}/api/push/key`)).json()) as {
			publicKey: string;
		};

		await push.onRunEnded('alice', ended);

		expect(pushService.received.map((r) => r.path)).toEqual(['/push/phone']);
		const [request] = pushService.received;
		expect(request!.headers['content-encoding']).toBe('aes128gcm');
		expect(Number(request!.headers.ttl)).toBeGreaterThan(0);
		// The body is ciphertext: the answer is not readable on the way.
		expect(request!.body.includes(Buffer.from('Here is the plan'))).toBe(false);
		expect(JSON.parse(decrypt(request!.body, phone))).toEqual({
			title: 'Claude answered in Trip 🗺️ رحلة',
			body: 'Here is the plan.',
			tag: 'answer-a1',
			url: '/p/p1/s/s1'
		});

		// Authorization: vapid t=<ES256 JWT for the push service's origin>, k=<the public key>.
		const match = /^vapid t=([^,]+), k=(.+)$/.exec(String(request!.headers.authorization));
		expect(match?.[2]).toBe(publicKey);
		const [header, claims, signature] = match![1]!.split('.');
		expect(JSON.parse(Buffer.from(claims!, 'base64url').toString()).aud).toBe(pushService.origin);
		const point = Buffer.from(publicKey, 'base64url');
		const key = createPublicKey({
			format: 'jwk',
			key: {
				kty: 'EC',
				crv: 'P-256',
				x: point.subarray(1, 33).toString('base64url'),
				y: point.subarray(33).toString('base64url')
			}
		});
		const signed = verify(
			'sha256',
			Buffer.from(`${header}.${claims}`),
			{ key, dsaEncoding: 'ieee-p1363' },
			Buffer.from(signature!, 'base64url')
		);
		expect(signed).toBe(true);
	});

	it('[NT3] forgets a device whose push service says it is gone, and says nothing of a stopped run', async () => {
		const gone = device(`${pushService.origin}/push/gone`);
		const kept = device(`${pushService.origin}/push/kept`);
		await subscribe('alice', gone.subscription);
		await subscribe('alice', kept.subscription);
		await push.onRunEnded('alice', ended);
		await push.onRunEnded('alice', { ...ended, answerId: 'a2' });
		await push.onRunEnded('alice', { ...ended, answerId: 'a3', status: 'stopped' });
		const paths = pushService.received.map((r) => r.path).sort();
		expect(paths).toEqual(['/push/gone', '/push/kept', '/push/kept']);
	});

	it('[NT3] refuses subscriptions to other addresses, bad keys, and requests without a token', async () => {
		const good = device(`${pushService.origin}/push/x`).subscription;
		const refused = async (account: string | undefined, body: unknown) => {
			const response = await subscribe(account, body);
			return {
				status: response.status,
				body: (await response.json()) as { error: { code: string } }
			};
		};
		expect(
			(await refused('alice', { ...good, endpoint: 'https://169.254.169.254/latest' })).body.error
				.code
		).toBe('push_service_not_allowed');
		expect(
			(await refused('alice', { ...good, endpoint: 'https://evil.example/fcm.googleapis.com' }))
				.status
		).toBe(400);
		expect(
			(await refused('alice', { ...good, keys: { ...good.keys, p256dh: 'AAAA' } })).body.error.code
		).toBe('bad_subscription');
		expect((await refused(undefined, good)).status).toBe(401);
		await push.onRunEnded('alice', ended);
		expect(pushService.received).toEqual([]);
	});

	it('[NT2] keeps its VAPID key pair in DATA_DIR, readable by the server alone', async () => {
		const file = path.join(dir, 'vapid.json');
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		const again = await createPush({
			store: sqlitePushStore(db, dir),
			authenticateRequest: () => ({ accountId: 'x' })
		});
		expect(again.routes.length).toBe(push.routes.length);
		expect(JSON.parse(fs.readFileSync(file, 'utf8')).publicKey).toBeTruthy();
	});
});
