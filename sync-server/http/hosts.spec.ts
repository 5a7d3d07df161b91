import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';
import { hostCheck } from './hosts.js';

const config = {
	host: '127.0.0.1',
	publicOrigin: 'https://tether.example',
	allowedOrigins: ['https://app.example:8443'],
	tls: undefined
};

describe('[HD] names and addresses', () => {
	it('[HD8] answers to localhost, its addresses and configured names, on any port; not to others', () => {
		const allowed = hostCheck(config);
		for (const host of [
			'localhost:8787',
			'127.0.0.1:8787',
			'[::1]:8787',
			'LOCALHOST',
			'dev.localhost:5173',
			'tether.example',
			'app.example:8443',
			undefined
		]) {
			expect(allowed(host), String(host)).toBe(true);
		}
		for (const host of ['evil.example:8787', 'tether.example.evil.example', '', 'a b']) {
			expect(allowed(host), host).toBe(false);
		}
	});

	it('[HD7] X-Forwarded-For is ignored unless the proxy is trusted; then its last address counts', () => {
		const req = {
			socket: { remoteAddress: '10.0.0.1' },
			headers: { 'x-forwarded-for': '1.2.3.4, 198.51.100.7' }
		} as unknown as IncomingMessage;
		expect(clientAddress(req, false)).toBe('10.0.0.1');
		expect(clientAddress(req, true)).toBe('198.51.100.7');
		const bare = { socket: { remoteAddress: '10.0.0.1' }, headers: {} } as IncomingMessage;
		expect(clientAddress(bare, true)).toBe('10.0.0.1');
	});
});
