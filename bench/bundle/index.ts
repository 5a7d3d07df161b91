/**
 * Initial JavaScript of a page (issue 11: the session page under 150 KB gzipped): every script
 * the built app fetches before the page can draw, that is SvelteKit's two entries, the root
 * layout, the route's layouts and page, and everything they import statically (the modulepreload
 * set). Dynamic imports (dialogs, highlighting, ...) load later and are listed apart. Read from
 * Vite's manifest of the last `npm run build`; sizes are gzip at level 6, what servers use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { formatTable, kib } from '../lib/table.js';

interface ManifestChunk {
	file: string;
	src?: string;
	isEntry?: boolean;
	imports?: string[];
	dynamicImports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface PageWeight {
	route: string;
	/** Scripts fetched before the page draws, with their gzipped sizes, biggest first. */
	initial: { file: string; bytes: number; gzip: number }[];
	initialGzip: number;
	initialBytes: number;
	/** Scripts only reachable through a dynamic import from the initial set. */
	lazyGzip: number;
	goalGzip: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const generated = path.join(root, '.svelte-kit/generated/client-optimized');
const clientOut = path.join(root, '.svelte-kit/output/client');

/** Node indexes of a route: the root layout (0), its layouts, then its page. */
function routeNodes(route: string): number[] {
	const app = fs.readFileSync(path.join(generated, 'app.js'), 'utf8');
	const escaped = route.replace(/[[\]/]/g, (c) => `\\${c}`);
	const match = new RegExp(`"${escaped}":\\s*\\[(\\d+)(?:,\\s*\\[([\\d,\\s]*)\\])?`).exec(app);
	if (!match) throw new Error(`route ${route} is not in the build`);
	const layouts = (match[2] ?? '')
		.split(',')
		.map((n) => n.trim())
		.filter(Boolean)
		.map(Number);
	return [0, ...layouts, Number(match[1])];
}

const gzipSize = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 6 }).length;

export function measurePage(route: string, goalGzip = 150 * 1024): PageWeight {
	const manifest = JSON.parse(
		fs.readFileSync(path.join(clientOut, '.vite/manifest.json'), 'utf8')
	) as Manifest;
	const entries = Object.keys(manifest).filter(
		(key) =>
			key.endsWith('@sveltejs/kit/src/runtime/client/entry.js') ||
			key === '.svelte-kit/generated/client-optimized/app.js'
	);
	const nodes = routeNodes(route).map(
		(n) => `.svelte-kit/generated/client-optimized/nodes/${n}.js`
	);
	const initial = new Set<string>();
	const visit = (key: string) => {
		if (initial.has(key) || !manifest[key]) return;
		initial.add(key);
		for (const next of manifest[key].imports ?? []) visit(next);
	};
	for (const key of [...entries, ...nodes]) visit(key);
	// The app entry imports every node dynamically (other routes): those are not lazy parts of this page.
	const lazy = new Set<string>();
	const visitLazy = (key: string) => {
		if (initial.has(key) || lazy.has(key) || !manifest[key]) return;
		lazy.add(key);
		for (const next of manifest[key].imports ?? []) visitLazy(next);
	};
	for (const key of initial) {
		if (key.endsWith('client-optimized/app.js')) continue;
		for (const next of manifest[key]?.dynamicImports ?? []) visitLazy(next);
	}
	const sized = [...initial]
		.map((key) => manifest[key]?.file ?? key)
		.filter((file) => file.endsWith('.js'))
		.map((file) => {
			const full = path.join(clientOut, file);
			return { file, bytes: fs.statSync(full).size, gzip: gzipSize(full) };
		})
		.sort((a, b) => b.gzip - a.gzip);
	const lazyGzip = [...lazy]
		.map((key) => manifest[key]?.file ?? key)
		.filter((file) => file.endsWith('.js'))
		.reduce((sum, file) => sum + gzipSize(path.join(clientOut, file)), 0);
	return {
		route,
		initial: sized,
		initialGzip: sized.reduce((sum, f) => sum + f.gzip, 0),
		initialBytes: sized.reduce((sum, f) => sum + f.bytes, 0),
		lazyGzip,
		goalGzip
	};
}

export function runBundleBench(): PageWeight[] {
	return ['/p/[projectId]/s/[sessionId]', '/'].map((route) => measurePage(route));
}

export function bundleTables(pages: PageWeight[]): string[] {
	const summary = formatTable(
		'Initial JavaScript (gzip, from the last build)',
		['page', 'scripts', 'raw', 'gzip', 'goal', 'loaded later (gzip)'],
		pages.map((p) => [
			p.route,
			p.initial.length,
			kib(p.initialBytes),
			kib(p.initialGzip),
			`< ${kib(p.goalGzip)}`,
			kib(p.lazyGzip)
		])
	);
	const session = pages[0];
	const biggest = session
		? formatTable(
				`Largest initial scripts of ${session.route}`,
				['file', 'raw', 'gzip'],
				session.initial.slice(0, 8).map((f) => [f.file, kib(f.bytes), kib(f.gzip)])
			)
		: '';
	return [summary, biggest];
}

// `npx tsx bench/bundle/index.ts` after `npm run build`: just this figure, in a second.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	for (const table of bundleTables(runBundleBench())) console.log(`\n${table}`);
}
