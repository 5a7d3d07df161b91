import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { AskedApproval } from '../../src/lib/core/approval-notice.js';
import * as answers from '../../src/lib/core/answers.js';
import { sessionDoc } from '../../src/lib/core/doc-names.js';
import type { EndedRun } from '../../src/lib/core/run-notice.js';
import * as shapes from '../../src/lib/core/shapes.js';
import {
	decrypt,
	device,
	fakePushService,
	type FakePushService
} from '../../tests/lib/fake-push.js';
import { MemoryDocs } from '../../tests/lib/memory-docs.js';
import { apiRouter, HttpError } from '../http/api.js';
import { docKey } from '../storage/types.js';
import { createApprovalTokens } from './approval-token.js';
import { approvalKey, approvalPush, createPush } from './index.js';
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
	let docs: MemoryDocs;
	const secret = 'a-test-secret-of-at-least-32-characters';

	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-push-'));
		db = new Database(':memory:');
		pushService = await fakePushService(dir);
		docs = new MemoryDocs();
		push = await createPush({
			store: sqlitePushStore(db, dir),
			secret,
			docs,
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
			secret,
			docs,
			authenticateRequest: () => ({ accountId: 'x' })
		});
		expect(again.routes.length).toBe(push.routes.length);
		expect(JSON.parse(fs.readFileSync(file, 'utf8')).publicKey).toBeTruthy();
	});

	const asked: AskedApproval = {
		projectId: 'p1',
		sessionId: 's1',
		toolUseId: 'toolu_1',
		tool: 'write_file',
		path: 'notes/plan.md',
		sessionTitle: 'Trip 🗺️ رحلة',
		expiresAt: Date.now() + 60_000
	};

	/** Alice's session s1 with an answer whose write_file call waits for approval. */
	function waitingCall(): Y.Map<unknown> {
		const doc = docs.doc(docKey('alice', sessionDoc('s1')));
		shapes.initSession(doc, 'p1', 1);
		shapes.appendMessage(doc, {
			id: 'm1',
			role: 'user',
			text: 'Go',
			createdAt: 1,
			ask: 'answered'
		});
		const answer = answers.startAnswer(doc, {
			id: 'a1',
			replyTo: 'm1',
			model: 'claude-sonnet-4-6',
			createdAt: 2
		});
		const block = answers.addBlock(answer, {
			type: 'tool_use',
			id: 'toolu_1',
			name: 'write_file'
		});
		block.set('approval', 'pending');
		return block;
	}

	const answerWith = (token: unknown, decision: unknown) =>
		fetch(`${apiUrl}/api/push/approval`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ token, decision })
		});

	it("[NT6] an approval reaches each device with its file, the actions' capability and its own tag", async () => {
		const phone = device(`${pushService.origin}/push/phone`);
		await subscribe('alice', phone.subscription);
		await push.onApprovalAsked('alice', asked);
		const [request] = pushService.received;
		const payload = JSON.parse(decrypt(request!.body, phone));
		expect(payload).toEqual({
			title: 'Claude asks to change a file in Trip 🗺️ رحلة',
			body: 'write_file notes/plan.md',
			tag: 'approval-toolu_1',
			url: '/p/p1/s/s1',
			approval: expect.stringMatching(/^a1\./)
		});
		// The capability names the account, the session, the call and when it ends; signed.
		const tokens = createApprovalTokens({ key: approvalKey(secret) });
		expect(tokens.verify(payload.approval)).toEqual({
			accountId: 'alice',
			sessionId: 's1',
			toolUseId: 'toolu_1',
			expiresAt: asked.expiresAt
		});
	});

	it('[NT11] once the call no longer waits, each device gets a notice with the same tag and no capability', async () => {
		const phone = device(`${pushService.origin}/push/phone`);
		const laptop = device(`${pushService.origin}/push/laptop`);
		await subscribe('alice', phone.subscription);
		await subscribe('alice', laptop.subscription);
		const { expiresAt: _, ...call } = asked;
		await push.onApprovalSettled('alice', { ...call, outcome: 'denied' });
		expect(pushService.received).toHaveLength(2);
		for (const [name, target] of [
			['phone', phone],
			['laptop', laptop]
		] as const) {
			const request = pushService.received.find((r) => r.path === `/push/${name}`);
			expect(JSON.parse(decrypt(request!.body, target))).toEqual({
				title: 'File change declined',
				body: 'write_file notes/plan.md',
				tag: 'approval-toolu_1',
				url: '/p/p1/s/s1',
				settled: true
			});
		}
	});

	it("[NT7] a notification's Approve or Deny is written as a device's decision, once, without a sign-in token", async () => {
		const tokens = createApprovalTokens({ key: approvalKey(secret) });
		const block = waitingCall();
		const { approval } = approvalPush(tokens, 'alice', asked);
		const first = await answerWith(approval, 'deny');
		expect(first.status).toBe(200);
		expect(block.get('decision')).toBe('deny');
		// Used: refused, and the decision stays.
		const again = await answerWith(approval, 'approve');
		expect(again.status).toBe(409);
		expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
			'approval_answered'
		);
		expect(block.get('decision')).toBe('deny');
		expect(docs.held).toBe(0);
	});

	it('[NT8] refuses an expired, forged or altered capability, and decisions other than approve and deny', async () => {
		const tokens = createApprovalTokens({ key: approvalKey(secret) });
		const block = waitingCall();
		const code = async (response: Response) => [
			response.status,
			((await response.json()) as { error: { code: string } }).error.code
		];
		const expired = approvalPush(tokens, 'alice', { ...asked, expiresAt: Date.now() - 1 });
		expect(await code(await answerWith(expired.approval, 'approve'))).toEqual([
			410,
			'approval_expired'
		]);
		const forged = createApprovalTokens({ key: approvalKey(`${secret}-other`) });
		expect(
			await code(await answerWith(approvalPush(forged, 'alice', asked).approval, 'approve'))
		).toEqual([403, 'invalid_capability']);
		// Another account's session with the same signature: the claims are signed.
		const [v, claims, mac] = approvalPush(tokens, 'bob', asked).approval.split('.');
		const altered = Buffer.from(claims!, 'base64url').toString().replace('"bob"', '"alice"');
		expect(
			await code(
				await answerWith(`${v}.${Buffer.from(altered).toString('base64url')}.${mac}`, 'approve')
			)
		).toEqual([403, 'invalid_capability']);
		const { approval } = approvalPush(tokens, 'alice', asked);
		expect((await answerWith(approval, 'approve_session')).status).toBe(400);
		expect(block.has('decision')).toBe(false);
	});
});
