import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSigned } from '../lib/self-signed.js';
import { startTether, type TetherServer } from './harness.js';

/** GET over HTTPS trusting only `ca`; rejects on any TLS problem. */
function getJson(url: string, ca: Buffer): Promise<{ status: number; body: unknown }> {
	return new Promise((resolve, reject) => {
		https
			.get(url, { ca }, (res) => {
				let text = '';
				res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
			})
			.on('error', reject);
	});
}

describe('[PW9] HTTPS when TLS_CERT and TLS_KEY are set', () => {
	let dir: string;
	let files: { cert: string; key: string };
	let server: TetherServer;

	beforeAll(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-tls-'));
		files = selfSigned(dir, 'server');
		server = await startTether({ env: { TLS_CERT: files.cert, TLS_KEY: files.key } });
	});
	afterAll(async () => {
		await server?.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	test('[PW9] serves the API over HTTPS with the given certificate and says so at start', async () => {
		expect(server.url).toMatch(/^https:\/\//);
		expect(server.output()).toContain(`serving HTTPS with the certificate ${files.cert}`);
		const res = await getJson(`${server.url}/api/health`, fs.readFileSync(files.cert));
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ ok: true });
	});

	test('[PW9] a certificate the client does not trust is refused (TLS is real)', async () => {
		const other = selfSigned(dir, 'other');
		await expect(getJson(`${server.url}/api/health`, fs.readFileSync(other.cert))).rejects.toThrow(
			/self.signed|certificate/i
		);
	});

	// Each case starts a server process that must fail; on a busy machine that takes seconds.
	test(
		'[PW9] a missing certificate file stops the server with a sentence',
		{ timeout: 60_000 },
		async () => {
			await expect(
				startTether({ env: { TLS_CERT: path.join(dir, 'absent.crt'), TLS_KEY: files.key } })
			).rejects.toThrow(/TLS_CERT: cannot read ".*absent\.crt" \(ENOENT\)/);
		}
	);

	test(
		'[PW9] a key of another certificate stops the server with a sentence',
		{ timeout: 60_000 },
		async () => {
			const other = selfSigned(dir, 'mismatch');
			await expect(
				startTether({ env: { TLS_CERT: files.cert, TLS_KEY: other.key } })
			).rejects.toThrow(/TLS_KEY is not the private key of the certificate in TLS_CERT/);
		}
	);
});
