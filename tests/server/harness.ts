/**
 * Starts the REAL server process (port 0, a temp DATA_DIR, the fake upstream as
 * ANTHROPIC_BASE_URL) for server tests, benchmarks and Playwright. Plain TypeScript: no test
 * runner imports. Everything waits by polling a condition, never by a fixed sleep.
 *
 *   const server = await startTether();
 *   const { token, accountId } = await server.login(testKey('alice'));
 *   // new WebSocket(`${server.wsUrl}/sync/<doc>`, ['tether.v1', `tether.auth.${token}`])
 *   await server.kill9(); await server.restart();
 *   await server.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAnthropic, type FakeAnthropic } from '../fake-anthropic/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fresh fake key the default fake accepts. Any `sk-ant-test-` key is valid there. */
export const testKey = (label = 'user') =>
	`sk-ant-test-${label}-${randomBytes(9).toString('base64url')}`;

/** A key of the right shape that the default fake refuses. */
export const invalidKey = (label = 'wrong') =>
	`sk-ant-invalid-${label}-${randomBytes(9).toString('base64url')}`;

export interface StartOptions {
	/** Extra environment for the server process (wins over the harness's own). */
	env?: Record<string, string>;
	/** Reuse a fake (it is then not closed by close()); default: a new one. */
	fake?: FakeAnthropic;
	/** Point ANTHROPIC_BASE_URL elsewhere, e.g. `deadUpstreamUrl()` for "API down". */
	upstreamUrl?: string;
	/** Reuse a data directory (it is then not removed by close()). */
	dataDir?: string;
	tokenTtlSeconds?: number;
	/** `source` runs sync-server/main.ts through tsx (default); `build` runs the compiled server. */
	entry?: 'source' | 'build';
	/** How long to wait for the "listening" line. */
	startTimeoutMs?: number;
}

export interface LoginResult {
	token: string;
	expiresAt: number;
	accountId: string;
	models?: { id: string; displayName: string; maxInputTokens: number | null }[];
}

export interface JsonResponse {
	status: number;
	headers: Headers;
	body: unknown;
}

export interface TetherServer {
	readonly url: string;
	readonly wsUrl: string;
	readonly port: number;
	readonly dataDir: string;
	readonly fake: FakeAnthropic;
	readonly process: ChildProcess | null;
	/** Everything the server wrote to stdout and stderr, over all its runs. */
	output(): string;
	/** POST /api/login; rejects with the status and body unless it answers 200. */
	login(apiKey?: string): Promise<LoginResult>;
	/** A JSON request to the server, with no Origin header unless given. */
	request(
		method: string,
		pathname: string,
		options?: { body?: unknown; headers?: Record<string, string>; token?: string }
	): Promise<JsonResponse>;
	/** SIGTERM, then wait for the exit. */
	stop(): Promise<void>;
	/** SIGKILL: no shutdown code runs. */
	kill9(): Promise<void>;
	/**
	 * Starts again on the same port with the same data directory and environment; `env` changes
	 * the environment from now on (e.g. another TETHER_APP_DIR: a new version of the app).
	 */
	restart(env?: Record<string, string>): Promise<void>;
	/** Stops the server and removes what the harness created. */
	close(): Promise<void>;
}

/** Polls `check` until it returns a truthy value; rejects with `message` after the timeout. */
export async function waitFor<T>(
	check: () => T | Promise<T>,
	{ timeoutMs = 5000, intervalMs = 20, message = 'condition' } = {}
): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value as NonNullable<T>;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

/** A URL where nothing listens: the SDK gets "connection refused". */
export async function deadUpstreamUrl(): Promise<string> {
	const fake = await startFakeAnthropic();
	const url = fake.url;
	await fake.close();
	return url;
}

const listening = /tether listening on (https?):\/\/([^\s:]+):(\d+)/;

export async function startTether(options: StartOptions = {}): Promise<TetherServer> {
	const ownsFake = !options.fake;
	const fake =
		options.fake ?? (await startFakeAnthropic({ acceptKey: (k) => k.startsWith('sk-ant-test-') }));
	const ownsDataDir = !options.dataDir;
	const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tether-test-'));
	const entry =
		options.entry === 'build'
			? [path.join(repoRoot, 'build/server/sync-server/main.js')]
			: ['--import', 'tsx', path.join(repoRoot, 'sync-server/main.ts')];
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '',
		HOME: process.env.HOME ?? os.tmpdir(),
		HOST: '127.0.0.1',
		PORT: '0',
		DATA_DIR: dataDir,
		TETHER_APP_DIR: path.join(repoRoot, 'build/app'),
		ANTHROPIC_BASE_URL: options.upstreamUrl ?? fake.url,
		// Every test signs in from 127.0.0.1: the production limit (10 a minute) would make
		// unrelated tests fail with 429. The rate-limit test sets its own low limit.
		TETHER_LOGIN_RATE_LIMIT: '1000',
		...(options.tokenTtlSeconds
			? { TETHER_TOKEN_TTL_SECONDS: String(options.tokenTtlSeconds) }
			: {}),
		...options.env
	};
	let output = '';
	let child: ChildProcess | null = null;
	let port = 0;
	let scheme = 'http';

	async function launch(): Promise<void> {
		const proc = spawn(process.execPath, entry, {
			cwd: repoRoot,
			env: { ...env, PORT: port ? String(port) : env.PORT },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		child = proc;
		let exited: string | null = null;
		proc.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')));
		proc.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')));
		proc.on('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
		const runStart = output.length;
		const match = await waitFor(
			() => {
				if (exited)
					throw new Error(`tether ${exited} before listening:\n${output.slice(runStart)}`);
				return listening.exec(output.slice(runStart));
			},
			{ timeoutMs: options.startTimeoutMs ?? 30_000, message: 'the server to listen' }
		);
		scheme = match[1] ?? 'http';
		port = Number(match[3]);
	}

	async function signalAndWait(signal: NodeJS.Signals): Promise<void> {
		const proc = child;
		if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
		const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
		proc.kill(signal);
		await exited;
		child = null;
	}

	try {
		await launch();
	} catch (error) {
		if (ownsFake) await fake.close();
		if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
		throw error;
	}

	const server: TetherServer = {
		get url() {
			return `${scheme}://127.0.0.1:${port}`;
		},
		get wsUrl() {
			return `${scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${port}`;
		},
		get port() {
			return port;
		},
		get process() {
			return child;
		},
		dataDir,
		fake,
		output: () => output,
		async request(method, pathname, opts = {}) {
			const headers: Record<string, string> = { ...opts.headers };
			if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
			if (opts.token) headers.authorization = `Bearer ${opts.token}`;
			const res = await fetch(`${server.url}${pathname}`, {
				method,
				headers,
				body:
					opts.body === undefined
						? undefined
						: typeof opts.body === 'string'
							? opts.body
							: JSON.stringify(opts.body)
			});
			const text = await res.text();
			let body: unknown = text;
			try {
				body = JSON.parse(text);
			} catch {
				// Not JSON: keep the text, the test will say what it expected.
			}
			return { status: res.status, headers: res.headers, body };
		},
		async login(apiKey = testKey()) {
			const res = await server.request('POST', '/api/login', { body: { apiKey } });
			if (res.status !== 200) {
				throw new Error(`login failed with ${res.status}: ${JSON.stringify(res.body)}`);
			}
			return res.body as LoginResult;
		},
		stop: () => signalAndWait('SIGTERM'),
		kill9: () => signalAndWait('SIGKILL'),
		async restart(changes) {
			await signalAndWait('SIGTERM');
			Object.assign(env, changes);
			await launch();
		},
		async close() {
			await signalAndWait('SIGTERM');
			if (ownsFake) await fake.close();
			if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
		}
	};
	return server;
}
