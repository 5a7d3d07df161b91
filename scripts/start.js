// Builds the app and server when the build is missing or older than the sources, then serves.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const sources = [
	'src',
	'static',
	'sync-server',
	'package.json',
	'svelte.config.js',
	'vite.config.ts',
	'tsconfig.json'
];
const entry = 'build/server/sync-server/main.js';
const stamp = 'build/.stamp';

function newestMtime(p) {
	if (!fs.existsSync(p)) return 0;
	const stat = fs.statSync(p);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
	return newest;
}

const builtAt = fs.existsSync(stamp) && fs.existsSync(entry) ? fs.statSync(stamp).mtimeMs : 0;
const changedAt = Math.max(...sources.map(newestMtime));
if (changedAt > builtAt) {
	console.log(
		builtAt ? 'sources changed since the last build: building' : 'no build yet: building'
	);
	const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: false });
	if (built.status !== 0) process.exit(built.status ?? 1);
	fs.writeFileSync(stamp, new Date().toISOString());
}

const server = spawn(process.execPath, [entry], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
