/**
 * Security headers on every response of the REAL server process: the Content Security Policy
 * read from the built page, and HSTS over TLS. Ids [RD*] are in docs/SPEC.md.
 *
 * The app directory here is a small stand-in written by the test (a page with a policy <meta>,
 * an asset, an icon), so these rules do not depend on a build; the browser test
 * (tests/e2e/rendering.spec.ts) checks the real build's page and header agree.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTether, type TetherServer } from './harness.js';
import { selfSigned } from '../lib/self-signed.js';

const pagePolicy =
	"default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; worker-src 'self'; " +
	"object-src 'none'; script-src 'self' 'sha256-dGVzdGhhc2g='; style-src 'self' 'unsafe-inline'";

const page = (policy: string) => `<!doctype html>
<html><head><meta charset="utf-8" />
<meta http-equiv="content-security-policy" content="${policy}">
</head><body><script>start()</script></body></html>
`;

let root: string;
let built: string;
let unbuilt: string;
let certDir: string;
let plain: TetherServer;
let tls: TetherServer;
let empty: TetherServer;

function writeApp(dir: string, policy: string): void {
	fs.mkdirSync(path.join(dir, '_app', 'immutable', 'entry'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'index.html'), page(policy));
	fs.writeFileSync(path.join(dir, '_app', 'immutable', 'entry', 'start.abc.js'), 'export {};\n');
	fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

/** Headers of one GET, accepting the self-signed certificate. */
function headersOf(server: TetherServer, pathname: string): Promise<Record<string, string>> {
	if (!server.url.startsWith('https:')) {
		return fetch(`${server.url}${pathname}`).then(async (res) => {
			await res.arrayBuffer();
			return Object.fromEntries(res.headers.entries());
		});
	}
	return new Promise((resolve, reject) => {
		https
			.get(`${server.url}${pathname}`, { rejectUnauthorized: false }, (res) => {
				res.resume();
				res.on('end', () => resolve(res.headers as Record<string, string>));
			})
			.on('error', reject);
	});
}

beforeAll(async () => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-headers-'));
	built = path.join(root, 'app');
	unbuilt = path.join(root, 'none');
	certDir = path.join(root, 'tls');
	fs.mkdirSync(certDir);
	writeApp(built, pagePolicy);
	const { cert, key } = selfSigned(certDir, 'server');
	[plain, tls, empty] = await Promise.all([
		startTether({ env: { TETHER_APP_DIR: built } }),
		startTether({ env: { TETHER_APP_DIR: built, TLS_CERT: cert, TLS_KEY: key } }),
		startTether({ env: { TETHER_APP_DIR: unbuilt } })
	]);
}, 60_000);

afterAll(async () => {
	await Promise.all([plain, tls, empty].map((s) => s?.close()));
	fs.rmSync(root, { recursive: true, force: true });
});

const appPaths = {
	index: '/',
	'deep link (fallback page)': '/p/some-project/s/some-session',
	asset: '/_app/immutable/entry/start.abc.js',
	icon: '/favicon.svg',
	'missing asset': '/_app/immutable/entry/missing.js'
};

describe('content security policy', () => {
	for (const [what, pathname] of Object.entries(appPaths)) {
		it(`[RD9] ${what} carries the policy the built page declares, plus frame-ancestors`, async () => {
			const headers = await headersOf(plain, pathname);
			expect(headers['content-security-policy']).toBe(`${pagePolicy}; frame-ancestors 'none'`);
		});
	}

	it('[RD9] /api responses carry a policy that allows nothing', async () => {
		const headers = await headersOf(plain, '/api/health');
		expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
	});

	it('[RD9] a rebuilt page (new script hash) changes the header without a restart', async () => {
		const dir = path.join(root, 'rebuilt');
		writeApp(dir, pagePolicy);
		const server = await startTether({ env: { TETHER_APP_DIR: dir } });
		try {
			expect((await headersOf(server, '/'))['content-security-policy']).toContain('dGVzdGhhc2g=');
			const next = pagePolicy.replace('dGVzdGhhc2g=', 'bmV3aGFzaA==');
			fs.writeFileSync(path.join(dir, 'index.html'), page(next) + '\n<!-- rebuilt -->\n');
			const headers = await headersOf(server, '/p/x');
			expect(headers['content-security-policy']).toBe(`${next}; frame-ancestors 'none'`);
		} finally {
			await server.close();
		}
	});

	it('[RD9] an app that is not built is served under a policy that allows nothing', async () => {
		for (const pathname of Object.values(appPaths)) {
			const headers = await headersOf(empty, pathname);
			expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
		}
	});
});

describe('strict transport security', () => {
	it('[RD10] over TLS every response, app and /api, carries HSTS and the policy', async () => {
		for (const pathname of [...Object.values(appPaths), '/api/health']) {
			const headers = await headersOf(tls, pathname);
			expect(headers['strict-transport-security']).toBe('max-age=31536000');
			expect(headers['content-security-policy']).toMatch(/^default-src 'self'|^default-src 'none'/);
		}
	});

	it('[RD10] without TLS no response carries HSTS', async () => {
		for (const pathname of [...Object.values(appPaths), '/api/health']) {
			const headers = await headersOf(plain, pathname);
			expect(headers['strict-transport-security']).toBeUndefined();
		}
	});
});
