import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../tests/server/harness.js';
import { freePort, run } from '../lib/proc.js';

/**
 * The servers we compare against. They live in bench/reference, with their own package.json and
 * lockfile, never in the app's dependencies; the bench installs them there (`npm ci`) on first
 * use. Each runs as its own process, like ours, so its CPU can be read from /proc.
 */
const referenceDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'reference');
const installed = [
	'node_modules/@y/websocket-server/src/server.js',
	'node_modules/@hocuspocus/server/package.json',
	'node_modules/@hocuspocus/provider/package.json'
];

export interface ExternalServer {
	readonly wsUrl: string;
	readonly pid: number;
	close(): Promise<void>;
}

/** `@y/websocket-server`, run as published: its bin with `HOST` and `PORT`, documents in memory. */
export const startReference = () =>
	startScript('node_modules/@y/websocket-server/src/server.js', 'the reference server');

/** `@hocuspocus/server` in memory, no extensions (bench/reference/hocuspocus-server.mjs). */
export const startHocuspocus = () => startScript('hocuspocus-server.mjs', 'the Hocuspocus server');

/**
 * Runs bench/reference/hocuspocus-provider-check.mjs: a real `@hocuspocus/provider` appends an
 * item to `document` and exits 0 once another client's item reaches it.
 */
export const runProviderScript = (wsUrl: string, document: string) =>
	run(process.execPath, ['hocuspocus-provider-check.mjs', wsUrl, document], referenceDir);

async function ensureInstalled(): Promise<void> {
	if (installed.every((file) => fs.existsSync(path.join(referenceDir, file)))) return;
	console.log('installing the reference servers into bench/reference (once) ...');
	await run('npm', ['ci', '--no-audit', '--no-fund'], referenceDir);
}

/** Starts a server script of bench/reference on a free port; both print "running at" when ready. */
async function startScript(script: string, name: string): Promise<ExternalServer> {
	await ensureInstalled();
	const port = await freePort();
	const child = spawn(process.execPath, [script], {
		cwd: referenceDir,
		env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port) },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	let exited = '';
	child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
	child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
	child.on('exit', (code, signal) => (exited = String(signal ?? code)));
	await waitFor(
		() => {
			if (exited) throw new Error(`${name} exited with ${exited}:\n${output}`);
			return output.includes('running at');
		},
		{ timeoutMs: 15_000, message: `${name} to listen` }
	);
	return {
		wsUrl: `ws://127.0.0.1:${port}`,
		pid: child.pid ?? 0,
		close: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			})
	};
}
