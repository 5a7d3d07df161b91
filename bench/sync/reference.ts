import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../tests/server/harness.js';
import { freePort, rssBytes, run } from '../lib/proc.js';

const referenceDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'reference');
const serverScript = path.join(referenceDir, 'node_modules/@y/websocket-server/src/server.js');

export interface ReferenceServer {
	readonly wsUrl: string;
	readonly pid: number;
	rss(): number;
	close(): Promise<void>;
}

/**
 * Installs `@y/websocket-server@0.1.1` into bench/reference (its own package.json and lockfile,
 * never the app's) the first time, then runs its published bin: `HOST`, `PORT`, in memory.
 */
export async function startReference(): Promise<ReferenceServer> {
	if (!fs.existsSync(serverScript)) {
		console.log('installing the reference server into bench/reference (once) ...');
		await run('npm', ['ci', '--no-audit', '--no-fund'], referenceDir);
	}
	const port = await freePort();
	const child = spawn(process.execPath, [serverScript], {
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
			if (exited) throw new Error(`reference server exited with ${exited}:\n${output}`);
			return output.includes('running at');
		},
		{ timeoutMs: 15_000, message: 'the reference server to listen' }
	);
	const pid = child.pid ?? 0;
	return {
		wsUrl: `ws://127.0.0.1:${port}`,
		pid,
		rss: () => rssBytes(pid),
		close: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			})
	};
}
