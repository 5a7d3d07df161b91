// Development: the server restarts on change (tsx watch) and Vite serves the app with hot reload,
// proxying /api and /sync to the server.
import { spawn } from 'node:child_process';

const serverPort = process.env.TETHER_DEV_SERVER_PORT ?? '8788';
const env = { ...process.env, PORT: serverPort, TETHER_DEV_SERVER_PORT: serverPort };
const children = [
	spawn('npx', ['tsx', 'watch', 'sync-server/main.ts'], { stdio: 'inherit', env }),
	spawn('npx', ['vite', 'dev', '--port', process.env.PORT ?? '8787'], { stdio: 'inherit', env })
];
const stop = () => children.forEach((c) => c.kill('SIGTERM'));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, stop);
for (const c of children)
	c.on('exit', (code) => {
		stop();
		process.exit(code ?? 0);
	});
