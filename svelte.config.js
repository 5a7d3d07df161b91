import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Where the built app goes. The update test builds a second version beside the first.
const appOut = process.env.TETHER_APP_OUT || 'build/app';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: the server serves build/app and falls back to index.html.
		adapter: adapter({ pages: appOut, assets: appOut, fallback: 'index.html' }),
		// The service worker (src/service-worker.ts) is registered through workbox-window, which
		// tells the app when a new version waits, so SvelteKit must not register it itself.
		serviceWorker: { register: false },
		// The version names the service worker's precache. A build may set it (the update test
		// does); else SvelteKit gives each build its own.
		...(process.env.TETHER_BUILD_ID ? { version: { name: process.env.TETHER_BUILD_ID } } : {}),
		typescript: {
			// Type-check the browser tests and benchmarks with the app.
			config: (tsconfig) => {
				tsconfig.include.push('../playwright.config.ts', '../tests/**/*.ts', '../bench/**/*.ts');
				return tsconfig;
			}
		}
	}
};

export default config;
