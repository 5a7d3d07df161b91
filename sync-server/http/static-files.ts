import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const types: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.webmanifest': 'application/manifest+json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.woff2': 'font/woff2'
};

/**
 * Serves the built single-page app. Unknown paths get index.html so deep links work;
 * hashed assets under _app/immutable are cached forever, everything else is revalidated:
 * `no-cache` on service-worker.js, the manifest and index.html is what lets a new version of
 * the app be found (the service worker's update check, PW4).
 */
export function serveStatic(appDir: string) {
	const root = path.resolve(appDir);
	const fallback = path.join(root, 'index.html');

	return (req: IncomingMessage, res: ServerResponse): void => {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { allow: 'GET, HEAD' }).end();
			return;
		}
		const url = new URL(req.url ?? '/', 'http://localhost');
		let pathname: string;
		try {
			pathname = decodeURIComponent(url.pathname);
		} catch {
			res.writeHead(400).end('Bad path');
			return;
		}
		const candidate = path.join(root, path.normalize(pathname));
		const inside = candidate === root || candidate.startsWith(root + path.sep);
		let file = fallback;
		if (inside && isFile(candidate)) file = candidate;
		else if (inside && isFile(candidate + '.html')) file = candidate + '.html';
		if (!isFile(file)) {
			res
				.writeHead(503, { 'content-type': 'text/plain' })
				.end('The app is not built: run npm run build');
			return;
		}
		const immutable = file.includes(`${path.sep}_app${path.sep}immutable${path.sep}`);
		res.writeHead(200, {
			'content-type': types[path.extname(file)] ?? 'application/octet-stream',
			'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
		});
		if (req.method === 'HEAD') res.end();
		else fs.createReadStream(file).pipe(res);
	};
}

function isFile(p: string): boolean {
	try {
		return fs.statSync(p).isFile();
	} catch {
		return false;
	}
}
