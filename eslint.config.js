import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: ['build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'playwright-report/']
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		},
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-unused-vars': [
				'error',
				// `using _x = ...` holds a resource for its scope without reading it.
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
			]
		}
	},
	{
		// Server specs are not part of the server build (sync-server/tsconfig.json excludes them),
		// so they are type-checked for linting through a config that includes them.
		files: ['sync-server/**/*.spec.ts'],
		languageOptions: {
			parserOptions: { projectService: false, project: './sync-server/tsconfig.spec.json' }
		}
	},
	{
		// SvelteKit builds the service worker apart from the app, with the web worker's types.
		files: ['src/service-worker.ts'],
		languageOptions: {
			parserOptions: { projectService: false, project: './tsconfig.sw.json' }
		}
	},
	{
		// The pure core runs in the browser and on the server: no adapters, no UI.
		files: ['src/lib/core/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['dexie', 'svelte', 'svelte/*', '$app/*', '$lib/store/*', '$lib/sync/*'] },
						{ group: ['../store/*', '../sync/*', '../ui/*', '../chat/*'] }
					]
				}
			]
		}
	},
	{
		// The server shares only the pure core with the app.
		files: ['sync-server/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['**/src/lib/store/*', '**/src/lib/sync/*', '**/src/lib/ui/*', 'dexie'] }
					]
				}
			]
		}
	}
);
