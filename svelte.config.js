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
		// The one source of the Content Security Policy. The build writes it, with the hash of
		// SvelteKit's inline start script, into index.html's <meta http-equiv>; the server reads it
		// from there and sends it as a header on every response (sync-server/http/csp.ts). Model
		// output is sanitized Markdown; this is the second line of defence: no inline or remote
		// script, no remote image (S10), requests and sockets only to this origin.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// Svelte and virtua set inline styles; model output never carries a style (sanitized).
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				// 'self' covers ws: and wss: of this host (CSP Level 3) for the /sync sockets.
				'connect-src': ['self'],
				'worker-src': ['self'],
				'manifest-src': ['self'],
				'object-src': ['none'],
				'frame-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		},
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
