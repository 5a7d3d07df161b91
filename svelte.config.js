import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: the server serves build/app and falls back to index.html.
		adapter: adapter({ pages: 'build/app', assets: 'build/app', fallback: 'index.html' }),
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
