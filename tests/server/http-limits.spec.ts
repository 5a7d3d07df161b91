/**
 * HTTP limits of the REAL server process: timeouts, the per-address connection cap, the Host
 * check against DNS rebinding, X-Forwarded-For behind a proxy, and file modes in DATA_DIR.
 * Everything waits for an event (a close, an answer), never for a time.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCode } from '../../src/lib/core/sync-protocol.js';
import { invalidKey, startTether, waitFor, type TetherServer } from './harness.js';
import { opened, outcome, rawSocket, signIn } from './sync-client.js';

let server: TetherServer;

beforeAll(async () => {
	server = await startTether({
		env: {
			TETHER_REQUEST_TIMEOUT_MS: '1500',
			TETHER_MAX_CONNECTIONS_PER_IP: '20',
			TETHER_TRUST_PROXY: '1',
			TETHER_LOGIN_RATE_LIMIT: '3'
		}
	});
});
afterAll(() => server?.close());

function rawConnection(): { socket: net.Socket; closed: Promise<void>; isClosed: () => boolean } {
	const socket = net.connect(server.port, '127.0.0.1');
	let done = false;
	socket.on('error', () => {});
	// Read what comes (a 408), so the end of the stream and its close are seen.
	socket.resume();
	const closed = new Promise<void>((resolve) =>
		socket.on('close', () => {
			done = true;
			resolve();
		})
	);
	return { socket, closed, isClosed: () => done };
}

function get(pathname: string, headers: Record<string, string>): Promise<number> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port: server.port, path: pathname, headers },
			(res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			}
		);
		req.on('error', reject);
		req.end();
	});
}

describe('[HD] HTTP limits', () => {
	it('[HD6] headers that never finish and a body that never finishes are closed by the server', async () => {
		const slowHeaders = rawConnection();
		slowHeaders.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
		const slowBody = rawConnection();
		slowBody.socket.write(
			'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
				'Content-Length: 100\r\n\r\n{"apiKey":'
		);
		const idle = rawConnection();
		const answers: string[] = [];
		slowBody.socket.on('data', (data: Buffer) => answers.push(data.toString()));
		await Promise.all([slowHeaders.closed, slowBody.closed, idle.closed]);
		expect(answers.join('')).toMatch(/^HTTP\/1.1 408 /);
		expect((await server.request('GET', '/api/health')).status).toBe(200);
	});

	it('[HD6] connections over the cap per address are closed at once; sync sockets do not count', async () => {
		const account = await signIn(server, 'capped');
		// More authenticated sync sockets than the cap: they have their own limit per account.
		// (One at a time: until it is accepted, an upgrade counts like any other connection.)
		const sync = [];
		for (let i = 0; i < 25; i++) {
			const ws = rawSocket(server, `/sync/session.s${i}`, account.token);
			await opened(ws);
			sync.push(ws);
		}
		const idle = Array.from({ length: 20 }, () => rawConnection());
		await Promise.all(idle.map(({ socket }) => new Promise((r) => socket.once('connect', r))));
		const over = rawConnection();
		await over.closed;
		// Closed by the cap, not a timeout: the older idle connections are all still open.
		expect(idle.filter((c) => c.isClosed())).toHaveLength(0);
		for (const c of idle) c.socket.destroy();
		await Promise.all(idle.map((c) => c.closed));
		// The server counts them down when it sees them close: poll.
		await waitFor(
			() =>
				get('/api/health', {}).then(
					(status) => status === 200,
					() => false
				),
			{
				message: 'health once the idle connections are gone'
			}
		);
		for (const ws of sync) ws.close();
	});

	it('[HD8] a Host the server does not answer to (DNS rebinding) is refused, for the API and for sync', async () => {
		const port = server.port;
		expect(await get('/api/health', { host: `evil.example:${port}` })).toBe(421);
		expect(
			await get('/api/health', {
				host: `evil.example:${port}`,
				origin: `http://evil.example:${port}`
			})
		).toBe(421);
		expect(await get('/api/health', { host: `localhost:${port}` })).toBe(200);
		const account = await signIn(server, 'rebound');
		const ws = rawSocket(server, '/sync/session.a', account.token, {
			host: `evil.example:${port}`,
			origin: `http://evil.example:${port}`
		});
		expect((await outcome(ws)).status).toBe(421);
		const fine = rawSocket(server, '/sync/session.a', account.token);
		await opened(fine);
		fine.close();
		expect(closeCode.notFound.code).toBe(4404);
	});

	it('[HD7] with TETHER_TRUST_PROXY, sign-in attempts are counted per forwarded address', async () => {
		const attempt = (address: string) =>
			server.request('POST', '/api/login', {
				body: { apiKey: invalidKey() },
				headers: { 'x-forwarded-for': `203.0.113.9, ${address}` }
			});
		// TETHER_LOGIN_RATE_LIMIT is 3 here.
		for (let i = 0; i < 3; i++) expect((await attempt('198.51.100.1')).status).toBe(401);
		expect((await attempt('198.51.100.1')).status).toBe(429);
		// Another person behind the same proxy still signs in.
		expect((await attempt('198.51.100.2')).status).toBe(401);
	});

	it('[HD9] the database, its WAL and its shared memory are readable by their owner only', () => {
		for (const name of ['tether.db', 'tether.db-wal', 'tether.db-shm', 'secret']) {
			const file = path.join(server.dataDir, name);
			expect(fs.statSync(file).mode & 0o777, name).toBe(0o600);
		}
		expect(fs.statSync(server.dataDir).mode & 0o777).toBe(0o700);
	});
});
