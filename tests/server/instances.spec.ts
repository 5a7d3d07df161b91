/**
 * Several stateless instances (docs/DEPLOY.md): two real server processes on different ports,
 * sharing a real PostgreSQL (DATABASE_URL) and a real Redis (REDIS_URL), both started here from
 * the Debian packages. When PostgreSQL or Redis cannot start, the suite fails: it never skips.
 * A local push service (tests/lib/fake-push.ts) receives the Web Pushes either instance sends.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocName } from '../../src/lib/core/doc-names.js';
import * as shapes from '../../src/lib/core/shapes.js';
import type { SyncProvider } from '../../src/lib/sync/provider.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fake-anthropic/index.js';
import { decrypt, device, fakePushService, type FakePushService } from '../lib/fake-push.js';
import { startTether, testKey, waitFor, type TetherServer } from './harness.js';
import { startPostgres, startRedis } from './services.js';
import { connect, text, type Account } from './sync-client.js';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
let fake: FakeAnthropic;
let a: TetherServer;
let b: TetherServer;
let pushService: FakePushService;
let pushDir: string;
/** The shared database as an operator sees it. */
let db: pg.Pool;
const providers: SyncProvider[] = [];
/** What every instance gets (A adds its name). */
let env: Record<string, string>;

beforeAll(async () => {
	pushDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-instances-push-'));
	[postgres, redis, fake, pushService] = await Promise.all([
		startPostgres(),
		startRedis(),
		startFakeAnthropic({ acceptKey: (k) => k.startsWith('sk-ant-test-') }),
		fakePushService(pushDir)
	]);
	db = new pg.Pool({ connectionString: postgres.url, max: 1 });
	env = {
		DATABASE_URL: postgres.url,
		REDIS_URL: redis.url,
		TETHER_SECRET: randomBytes(32).toString('base64url'),
		TETHER_DOC_IDLE_MS: '50',
		TETHER_PUSH_SERVICES: pushService.origin,
		// The servers trust the local push service's self-signed certificate.
		NODE_EXTRA_CA_CERTS: pushService.certFile,
		// An instance silent for 5 s is gone: its runs are ended by another ([IN12]). Shorter
		// makes a live instance on a loaded machine look gone.
		TETHER_INSTANCE_TIMEOUT_SECONDS: '5'
	};
	// One after the other: the first applies the migrations (the second would wait on their lock).
	// A is named by the operator; B names itself.
	a = await startTether({ env: { ...env, TETHER_INSTANCE_ID: 'tether-a' }, fake });
	b = await startTether({ env, fake });
}, 90_000);

afterAll(async () => {
	for (const provider of providers.splice(0)) provider.destroy();
	await Promise.all([a?.close(), b?.close()]);
	await db?.end();
	await Promise.all([fake?.close(), redis?.stop(), postgres?.stop(), pushService?.close()]);
	if (pushDir) fs.rmSync(pushDir, { recursive: true, force: true });
});

/** One account, signed in once; its token is good on every instance (same TETHER_SECRET). */
async function account(server: TetherServer): Promise<Account & { apiKey: string }> {
	const apiKey = testKey('multi');
	const first = await server.login(apiKey);
	const acct = {
		apiKey,
		token: first.token,
		accountId: first.accountId,
		getToken: async () => acct.token
	};
	return acct;
}

/** A device on `server`, or through `url` (the balancer) when given. */
function open(server: TetherServer, acct: Account, name: DocName, doc = new Y.Doc(), url?: string) {
	const provider = connect(server, acct, name, doc, url ? { url } : {});
	providers.push(provider);
	return provider;
}

const newId = () => randomBytes(9).toString('base64url');

/** A session on `server` with one message waiting for its answer. */
async function waitingMessage(server: TetherServer, acct: Account) {
	const projectId = newId();
	const sessionId = newId();
	const messageId = newId();
	const session = open(server, acct, `session.${sessionId}` as DocName);
	await session.whenSynced;
	session.doc.transact(() => {
		shapes.initSession(session.doc, projectId, Date.now());
		shapes.appendMessage(session.doc, {
			id: messageId,
			role: 'user',
			text: 'hi',
			createdAt: Date.now(),
			ask: 'waiting'
		});
	});
	await session.whenSynced;
	return { session, projectId, sessionId, messageId };
}

/** POST /api/runs for that message on `server`. */
function ask(
	server: TetherServer,
	acct: Account & { apiKey: string },
	run: { sessionId: string; messageId: string }
) {
	return server.request('POST', '/api/runs', {
		token: acct.token,
		headers: { 'x-api-key': acct.apiKey },
		body: { sessionId: run.sessionId, messageId: run.messageId, attempt: 1 }
	});
}

/** A session as PostgreSQL holds it (snapshot and log). */
async function storedSession(acct: Account, sessionId: string): Promise<Y.Doc> {
	const { rows } = await db.query<{ data: Buffer }>(
		`SELECT data FROM (
			SELECT 0 AS part, 0::bigint AS seq, data FROM doc_snapshots WHERE account_id = $1 AND doc_name = $2
			UNION ALL SELECT 1, seq, data FROM doc_updates WHERE account_id = $1 AND doc_name = $2
		) AS parts ORDER BY part, seq`,
		[acct.accountId, `session.${sessionId}`]
	);
	const doc = new Y.Doc();
	for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
	return doc;
}

/** The answer to a session's message, as the device (or a stored copy) has it. */
function answerIn(session: { doc: Y.Doc }) {
	return shapes
		.messages(session.doc)
		.toArray()
		.find((entry) => entry.get('role') === 'assistant');
}

/** This device wants notifications: POST /api/push/subscriptions on `server`. */
async function subscribe(server: TetherServer, acct: Account, subscription: unknown) {
	const response = await server.request('POST', '/api/push/subscriptions', {
		token: acct.token,
		body: subscription
	});
	expect(response.status).toBe(201);
}

const health = async (server: TetherServer) =>
	(await server.request('GET', '/api/health')).body as { instance?: string; redis?: string };

describe('[IN] several instances on PostgreSQL and Redis', () => {
	it('[IN1] a key signs in to the same account on either instance', async () => {
		const apiKey = testKey('same');
		const [onA, onB] = [await a.login(apiKey), await b.login(apiKey)];
		expect(onB.accountId).toBe(onA.accountId);
	});

	it('[IN2] devices on different instances see each other live: edits both ways and presence', async () => {
		const acct = await account(a);
		const name = `session.${newId()}` as DocName;
		const one = open(a, acct, name);
		const two = open(b, acct, name);
		await Promise.all([one.whenSynced, two.whenSynced]);
		one.doc.getText('t').insert(0, 'from A ');
		await waitFor(() => text(two.doc) === 'from A ', { message: 'A to reach B' });
		two.doc.getText('t').insert(7, 'from B');
		await waitFor(() => text(one.doc) === 'from A from B', { message: 'B to reach A' });
		two.awareness!.setLocalStateField('user', { name: 'on B' });
		await waitFor(
			() =>
				[...one.awareness!.getStates().values()].some(
					(s) => (s.user as { name?: string } | undefined)?.name === 'on B'
				),
			{ message: 'presence from B to reach A' }
		);
		// Both stored it once: a new device on either instance loads the same text.
		await Promise.all([one.whenSynced, two.whenSynced]);
		const fresh = open(a, acct, name, new Y.Doc());
		await fresh.whenSynced;
		expect(text(fresh.doc)).toBe('from A from B');
	});

	it('[IN2] offline edits made on two instances merge once both devices reconnect', async () => {
		const acct = await account(a);
		const name = `session.${newId()}` as DocName;
		const one = open(a, acct, name);
		const two = open(b, acct, name);
		await Promise.all([one.whenSynced, two.whenSynced]);
		one.disconnect();
		two.disconnect();
		one.doc.getText('t').insert(0, 'offline on A. ');
		two.doc.getText('t').insert(0, 'offline on B. ');
		one.connect();
		two.connect();
		await Promise.all([one.whenSynced, two.whenSynced]);
		await waitFor(() => text(one.doc).length === 28 && text(one.doc) === text(two.doc), {
			message: 'both devices to hold both edits'
		});
		expect(text(one.doc)).toContain('offline on A. ');
		expect(text(one.doc)).toContain('offline on B. ');
	});

	it('[IN3] a deletion on one instance purges everywhere: the other closes its devices and refuses the document', async () => {
		const acct = await account(a);
		const name = `session.${newId()}` as DocName;
		const onB = open(b, acct, name);
		await onB.whenSynced;
		onB.doc.getText('t').insert(0, 'doomed');
		await onB.whenSynced;
		const deleted = await a.request('POST', '/api/docs/delete', {
			token: acct.token,
			body: { names: [name] }
		});
		expect(deleted.status).toBe(200);
		await waitFor(() => onB.status === 'stopped', { message: 'B to close the deleted document' });
		const changes = await b.request('GET', '/api/changes?since=0', { token: acct.token });
		expect((changes.body as { deleted: string[] }).deleted).toContain(name);
		const again = open(b, acct, name, new Y.Doc());
		await waitFor(() => again.status === 'stopped', { message: 'B to refuse the document' });
		expect(text(again.doc)).toBe('');
	});

	it('[IN4] one message is run once when both instances are asked at once, and Stop on the other instance stops it', async () => {
		const acct = await account(a);
		const run = await waitingMessage(a, acct);
		// The answer stalls after its first piece, so it is still running when Stop comes.
		fake.script({ interrupt: { how: 'stall', afterEvent: 4 } });
		const answered = await Promise.all([ask(a, acct, run), ask(b, acct, run)]);
		expect(answered.map((r) => r.status).sort()).toEqual([202, 409]);
		const runner = answered[0]!.status === 202 ? a : b;
		const other = runner === a ? b : a;
		await waitFor(() => answerIn(run.session)?.get('status') === 'streaming', {
			message: 'the answer to stream'
		});
		// Stop asked of the instance that does not run it reaches the one that does.
		const stop = await other.request('POST', '/api/runs/stop', {
			token: acct.token,
			body: { sessionId: run.sessionId, messageId: run.messageId }
		});
		expect(stop.status).toBe(200);
		await waitFor(() => answerIn(run.session)?.get('status') === 'stopped', {
			message: 'the running instance to stop the answer'
		});
	});

	it('[IN7] [IN8] a run ending on one instance notifies a device subscribed on the other, signed with the one shared VAPID key', async () => {
		const keys = await Promise.all(
			[a, b].map(async (server) => (await server.request('GET', '/api/push/key')).body)
		);
		expect(keys[1]).toEqual(keys[0]);
		const { publicKey } = keys[0] as { publicKey: string };

		const acct = await account(a);
		const phone = device(`${pushService.origin}/push/${newId()}/phone`);
		await subscribe(a, acct, phone.subscription);
		const run = await waitingMessage(a, acct);
		expect((await ask(b, acct, run)).status).toBe(202);

		const pushed = await waitFor(
			() =>
				pushService.received.find((r) => r.path === new URL(phone.subscription.endpoint).pathname),
			{ timeoutMs: 15_000, message: 'B to push the ended run to the device subscribed on A' }
		);
		const answer = answerIn(run.session);
		expect(answer?.get('status')).toBe('done');
		expect(JSON.parse(decrypt(pushed.body, phone))).toMatchObject({
			title: 'Claude answered in Your session',
			tag: `answer-${String(answer?.get('id'))}`,
			url: `/p/${run.projectId}/s/${run.sessionId}`
		});
		expect(String(pushed.headers.authorization)).toMatch(new RegExp(`, k=${publicKey}$`));
	});

	it('[IN9] a device its push service calls gone is forgotten by every instance', async () => {
		const acct = await account(b);
		const base = `${pushService.origin}/push/${newId()}`;
		const gone = device(`${base}/gone`);
		const kept = device(`${base}/kept`);
		await subscribe(b, acct, gone.subscription);
		await subscribe(b, acct, kept.subscription);
		const sent = (to: ReturnType<typeof device>) =>
			pushService.received.filter((r) => r.path === new URL(to.subscription.endpoint).pathname)
				.length;

		const first = await waitingMessage(a, acct);
		expect((await ask(a, acct, first)).status).toBe(202);
		await waitFor(() => sent(kept) === 1, { timeoutMs: 15_000, message: 'A to push the run' });
		expect(sent(gone)).toBe(1);
		// A forgot the gone device in the shared store ...
		await waitFor(
			async () =>
				(
					await db.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [
						gone.subscription.endpoint
					])
				).rowCount === 0,
			{ message: 'the gone device to leave PostgreSQL' }
		);

		// ... so B, where it subscribed, no longer sends to it.
		const second = await waitingMessage(b, acct);
		expect((await ask(b, acct, second)).status).toBe(202);
		await waitFor(() => sent(kept) === 2, { timeoutMs: 15_000, message: 'B to push the run' });
		expect(sent(gone)).toBe(1);
	});

	it('[IN10] each instance names itself in /api/health and its log, and the run claim names the instance that ran it', async () => {
		const [named, generated] = [(await health(a)).instance, (await health(b)).instance];
		expect(named).toBe('tether-a');
		expect(generated).toMatch(/^[0-9a-f]{8}$/);
		expect(b.output()).toContain(`tether: instance ${generated}`);

		const acct = await account(a);
		const run = await waitingMessage(a, acct);
		const answered = await Promise.all([ask(a, acct, run), ask(b, acct, run)]);
		const runner = answered[0]!.status === 202 ? named : generated;
		const { rows } = await db.query<{ instance_id: string }>(
			'SELECT instance_id FROM run_claims WHERE session_id = $1 AND message_id = $2',
			[run.sessionId, run.messageId]
		);
		expect(rows).toEqual([{ instance_id: runner }]);
		await waitFor(() => answerIn(run.session)?.get('status') === 'done', {
			timeoutMs: 15_000,
			message: 'the answer to finish'
		});
	});

	it('[IN13] an instance that froze while running an answer writes nothing into it once another instance ended it', async () => {
		const c = await startTether({ env, fake });
		try {
			const acct = await account(a);
			const run = await waitingMessage(a, acct);
			const pieces = Array.from({ length: 100 }, (_, i) => `piece${i} 🧊 `);
			fake.script({
				blocks: [{ type: 'text', text: pieces.join(''), deltas: pieces }],
				delayMs: 120
			});
			expect((await ask(c, acct, run)).status).toBe(202);
			await waitFor(
				() => JSON.stringify(answerIn(run.session)?.toJSON() ?? {}).includes('piece2 '),
				{
					timeoutMs: 15_000,
					message: 'C to stream the first pieces'
				}
			);
			// Frozen, not dead: the process keeps its sockets and comes back later.
			c.process!.kill('SIGSTOP');
			let ended: unknown;
			try {
				await waitFor(() => answerIn(run.session)?.get('status') === 'interrupted', {
					timeoutMs: 30_000,
					message: 'A or B to end the answer of the silent instance'
				});
				ended = answerIn(run.session)!.toJSON();
			} finally {
				c.process!.kill('SIGCONT');
			}
			// C wakes with the rest of the stream waiting in its socket: it writes none of it.
			await waitFor(() => c.output().includes('this instance lost its lease'), {
				timeoutMs: 15_000,
				message: 'C to find its lease lapsed'
			});
			// Until the upstream stream is over, so anything C would still write is in by then.
			await waitFor(() => fake.openResponses() === 0, {
				timeoutMs: 20_000,
				message: 'the upstream stream to C to end'
			});
			const frozen = (await health(c)).instance;
			expect(answerIn(run.session)!.toJSON()).toEqual(ended);
			expect(answerIn({ doc: await storedSession(acct, run.sessionId) })!.toJSON()).toEqual(ended);
			const { rows } = await db.query<{ instance_id: string; ended: boolean }>(
				'SELECT instance_id, ended_at IS NOT NULL AS ended FROM run_claims WHERE session_id = $1',
				[run.sessionId]
			);
			// Ended by the instance that took it over; C's late "ended" did not touch it.
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ ended: true });
			expect(rows[0]!.instance_id).not.toBe(frozen);
		} finally {
			await c.close();
		}
	}, 90_000);

	it('[IN12] an instance killed with -9 that does not come back: another ends its running answer and frees its queued message', async () => {
		const c = await startTether({ env, fake });
		try {
			const acct = await account(a);
			const run = await waitingMessage(a, acct);
			const queuedId = newId();
			shapes.appendMessage(run.session.doc, {
				id: queuedId,
				role: 'user',
				text: 'and then?',
				createdAt: Date.now(),
				ask: 'waiting'
			});
			await run.session.whenSynced;
			const queued = { sessionId: run.sessionId, messageId: queuedId };
			// The answer stalls after its first piece: it is still running when C dies.
			fake.script({ interrupt: { how: 'stall', afterEvent: 4 } });
			expect((await ask(c, acct, run)).status).toBe(202);
			expect((await ask(c, acct, queued)).body).toEqual({ state: 'queued' });
			// Killed once C stored the started answer and the queued mark: what another instance
			// finds in PostgreSQL (what C relayed but had not stored yet is not there to end).
			await waitFor(
				async () => {
					const stored = await storedSession(acct, run.sessionId);
					const ask = shapes
						.messages(stored)
						.toArray()
						.find((m) => m.get('id') === queuedId)
						?.get('ask');
					return answerIn({ doc: stored })?.get('status') === 'streaming' && ask === 'queued';
				},
				{ timeoutMs: 15_000, message: 'C to store the started answer' }
			);
			await c.kill9();

			await waitFor(() => answerIn(run.session)?.get('status') === 'interrupted', {
				timeoutMs: 30_000,
				message: 'A or B to end the answer of the gone instance'
			});
			const asked = (id: string) =>
				shapes
					.messages(run.session.doc)
					.toArray()
					.find((m) => m.get('id') === id)
					?.get('ask');
			expect(asked(run.messageId)).toBe('answered');
			await waitFor(() => asked(queuedId) === 'waiting', {
				message: 'the queued message to wait to be asked again'
			});
			// The running one's claim ended, the queued one's is gone (it never began).
			const claims = await waitFor(
				async () => {
					const { rows } = await db.query<{
						message_id: string;
						instance_id: string;
						ended: boolean;
					}>(
						'SELECT message_id, instance_id, ended_at IS NOT NULL AS ended FROM run_claims WHERE session_id = $1',
						[run.sessionId]
					);
					return rows.length === 1 && rows[0]!.ended ? rows : undefined;
				},
				{ message: 'the claims of the gone instance to be settled' }
			);
			const survivors = [(await health(a)).instance, (await health(b)).instance];
			expect(claims[0]!.message_id).toBe(run.messageId);
			expect(survivors).toContain(claims[0]!.instance_id);

			// The queued message's claim is gone, so it is asked again, on any instance, and answered.
			expect((await ask(b, acct, queued)).status).toBe(202);
			await waitFor(
				() =>
					shapes
						.messages(run.session.doc)
						.toArray()
						.some((m) => m.get('replyTo') === queuedId && m.get('status') === 'done'),
				{ timeoutMs: 15_000, message: 'B to answer the freed message' }
			);
		} finally {
			await c.close();
		}
	}, 60_000);

	it('[IN5] an instance that loses Redis says so, keeps serving, and catches up when Redis returns', async () => {
		const acct = await account(a);
		const name = `session.${newId()}` as DocName;
		const one = open(a, acct, name);
		const two = open(b, acct, name);
		await Promise.all([one.whenSynced, two.whenSynced]);
		await redis.stop();
		await waitFor(
			async () =>
				((await a.request('GET', '/api/health')).body as { redis?: string }).redis === 'down',
			{ message: 'health to report Redis down' }
		);
		one.doc.getText('t').insert(0, 'while Redis was away');
		await one.whenSynced;
		await redis.start();
		await waitFor(() => text(two.doc) === 'while Redis was away', {
			timeoutMs: 15_000,
			message: 'B to catch up from storage once Redis is back'
		});
		const health = await b.request('GET', '/api/health');
		expect((health.body as { redis?: string }).redis).toBe('ok');
	});

	it('[IN6] an instance killed with -9 loses nothing acknowledged; its device moves to the other', async () => {
		const acct = await account(a);
		const name = `session.${newId()}` as DocName;
		// The load balancer: each new connection goes to the first instance that accepts it.
		const balancer = await startBalancer([a.port, b.port]);
		try {
			const device = open(a, acct, name, new Y.Doc(), `ws://127.0.0.1:${balancer.port}/sync`);
			await device.whenSynced;
			device.doc.getText('t').insert(0, 'acknowledged on A.');
			await device.whenSynced;
			await a.kill9();
			// Written while its instance is gone; sent once it reconnected, through B. (Its status
			// may still say synced for a moment: the close of the dead socket comes after the kill.)
			device.doc.getText('t').insert(18, ' After the kill.');
			const check = open(b, acct, name, new Y.Doc());
			await check.whenSynced;
			// What A acknowledged was stored before the kill: B has it at once.
			expect(text(check.doc).startsWith('acknowledged on A.')).toBe(true);
			await waitFor(() => text(check.doc) === 'acknowledged on A. After the kill.', {
				timeoutMs: 15_000,
				message: 'the device to reconnect through B and send the edit made after the kill'
			});
			await waitFor(() => device.status === 'synced' && device.unsyncedCount === 0, {
				timeoutMs: 15_000,
				message: 'B to acknowledge the device'
			});
		} finally {
			// The last test: A stays down until afterAll.
			balancer.close();
		}
	});
});

/** A TCP balancer: each connection goes to the first backend port that accepts it. */
async function startBalancer(ports: number[]): Promise<{ port: number; close(): void }> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((client) => {
		sockets.add(client);
		client.on('close', () => sockets.delete(client));
		client.pause();
		const tryPort = (i: number) => {
			const port = ports[i];
			if (port === undefined) return client.destroy();
			const backend = net.connect(port, '127.0.0.1');
			backend.once('error', () => {
				backend.destroy();
				if (!client.destroyed && backend.bytesWritten === 0) tryPort(i + 1);
				else client.destroy();
			});
			backend.once('connect', () => {
				sockets.add(backend);
				backend.on('close', () => {
					sockets.delete(backend);
					client.destroy();
				});
				backend.on('error', () => client.destroy());
				client.on('error', () => backend.destroy());
				client.on('close', () => backend.destroy());
				client.pipe(backend);
				backend.pipe(client);
				client.resume();
			});
		};
		tryPort(0);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return {
		port,
		close() {
			server.close();
			for (const socket of sockets) socket.destroy();
		}
	};
}
