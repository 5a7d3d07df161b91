import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

const serverPort = Number(process.env.TETHER_DEV_SERVER_PORT ?? 8787);

export default defineConfig({
	plugins: [sveltekit()],
	server: {
		// In development the app is served by Vite; the API and sync socket live in the server.
		proxy: {
			'/api': `http://127.0.0.1:${serverPort}`,
			'/sync': { target: `ws://127.0.0.1:${serverPort}`, ws: true }
		}
	},
	test: {
		include: [
			'src/**/*.spec.ts',
			'sync-server/**/*.spec.ts',
			'tests/server/**/*.spec.ts',
			'tests/fake-anthropic/**/*.spec.ts'
		],
		environment: 'node',
		testTimeout: 20_000,
		// Server tests start real processes in beforeAll; on a busy machine that can take >10 s.
		hookTimeout: 30_000
	}
});
