/**
 * Real PostgreSQL and Redis for tests, from the Debian packages, in a temporary directory on a
 * free port. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user through
 * runuser. When either cannot start, this throws with the reason: tests never skip silently
 * (`.ci/run` installs both packages when they are missing).
 *
 *   const pg = await startPostgres();   // pg.url: postgres://tether@127.0.0.1:<port>/tether
 *   const redis = await startRedis();   // redis.url: redis://127.0.0.1:<port>
 *   await redis.stop(); await redis.start();   // Redis lost and back, same port
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './harness.js';

export interface Service {
	readonly url: string;
	readonly port: number;
	stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

function postgresBin(): string {
	const fromEnv = process.env.TETHER_PG_BIN;
	if (fromEnv) return fromEnv;
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0) {
		throw new Error(
			'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): ' +
				'apt-get install postgresql, or set TETHER_PG_BIN'
		);
	}
	return path.join(root, versions[0]!, 'bin');
}

/** As root, PostgreSQL's commands run as `postgres`; otherwise as the current user. */
function asDbUser(command: string, args: string[]): [string, string[]] {
	if (process.getuid?.() !== 0) return [command, args];
	return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

function run(command: string, args: string[]): void {
	const [cmd, argv] = asDbUser(command, args);
	const result = spawnSync(cmd, argv, { encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(
			`${path.basename(command)} failed (${result.error?.message ?? `exit ${result.status}`}): ` +
				`${result.stderr}${result.stdout}`
		);
	}
}

/** A fresh cluster with database `tether` owned by user `tether` (trust auth, localhost only). */
export async function startPostgres(): Promise<Service & { dir: string }> {
	const bin = postgresBin();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-pg-'));
	if (process.getuid?.() === 0) {
		const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		const uid = Number(pw.stdout.trim());
		const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		if (pw.status !== 0 || !Number.isInteger(uid)) {
			throw new Error('running as root and there is no `postgres` user to run PostgreSQL as');
		}
		fs.chownSync(dir, uid, gid);
	}
	const data = path.join(dir, 'data');
	run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
	const port = await freePort();
	// pg_ctl -w returns once the server accepts connections, or fails with the log's reason.
	const options = [
		`-p ${port}`,
		`-k ${dir}`,
		'-c listen_addresses=127.0.0.1',
		'-c fsync=off',
		'-c shared_buffers=16MB'
	].join(' ');
	const pgCtl = path.join(bin, 'pg_ctl');
	const log = path.join(dir, 'postgres.log');
	try {
		run(pgCtl, ['-D', data, '-l', log, '-o', options, '-w', '-t', '30', 'start']);
	} catch (error) {
		const detail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
		throw new Error(`${(error as Error).message}\n${detail}`);
	}
	const psql = path.join(bin, 'psql');
	const sql = (statement: string) =>
		run(psql, [
			...['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'],
			...['-v', 'ON_ERROR_STOP=1', '-c', statement]
		]);
	sql('CREATE ROLE tether LOGIN');
	sql('CREATE DATABASE tether OWNER tether');
	return {
		url: `postgres://tether@127.0.0.1:${port}/tether`,
		port,
		dir,
		stop: async () => {
			run(pgCtl, ['-D', data, '-m', 'immediate', 'stop']);
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** redis-server on a free port, no persistence; `stop` then `start` brings it back on the same port. */
export async function startRedis(): Promise<Service & { start(): Promise<void> }> {
	const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	if (which.status !== 0) {
		throw new Error('redis-server is not installed: apt-get install redis-server');
	}
	const port = await freePort();
	let child: ChildProcess | null = null;
	const start = async () => {
		const proc = spawn(
			'redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			{ stdio: ['ignore', 'pipe', 'pipe'] }
		);
		child = proc;
		let output = '';
		let exited: string | null = null;
		proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
		proc.on('exit', (code, signal) => (exited = String(signal ?? code)));
		await waitFor(
			() => {
				if (exited) throw new Error(`redis-server exited (${exited}):\n${output}`);
				return output.includes('Ready to accept connections');
			},
			{ timeoutMs: 10_000, message: 'redis-server to accept connections' }
		);
	};
	await start();
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		start,
		stop: async () => {
			if (child) await stopChild(child, 'SIGKILL');
			child = null;
		}
	};
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		child.once('exit', () => resolve());
		child.kill(signal);
	});
}
