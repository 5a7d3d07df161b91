import { describe, expect, it } from 'vitest';
import { isAllowedOrigin } from './origin.js';

describe('origin rules', () => {
	const host = 'tether.example:8787';

	it('[AU10] the server’s own origin is allowed, over http or https', () => {
		expect(isAllowedOrigin('http://tether.example:8787', host, [])).toBe(true);
		expect(isAllowedOrigin('https://tether.example:8787', host, [])).toBe(true);
		expect(isAllowedOrigin('https://tether.example', 'tether.example:443', [])).toBe(true);
		expect(isAllowedOrigin('http://127.0.0.1:5173', '127.0.0.1:5173', [])).toBe(true);
	});

	it('[AU10] a hostile page, another port or another host is refused', () => {
		expect(isAllowedOrigin('https://evil.example', host, [])).toBe(false);
		expect(isAllowedOrigin('http://tether.example:9999', host, [])).toBe(false);
		expect(isAllowedOrigin('http://tether.example.evil.example:8787', host, [])).toBe(false);
		expect(isAllowedOrigin('http://tether.example:8787', undefined, [])).toBe(false);
	});

	it('[AU10] null, non-web schemes and malformed origins are refused', () => {
		expect(isAllowedOrigin('null', host, [])).toBe(false);
		expect(isAllowedOrigin('file://', host, [])).toBe(false);
		expect(isAllowedOrigin('chrome-extension://abc', host, [])).toBe(false);
		expect(isAllowedOrigin('http://tether.example:8787/path', host, [])).toBe(false);
		expect(isAllowedOrigin('not a url', host, [])).toBe(false);
	});

	it('[AU10] TETHER_ALLOWED_ORIGINS adds exact origins', () => {
		const allowed = ['https://app.example'];
		expect(isAllowedOrigin('https://app.example', host, allowed)).toBe(true);
		expect(isAllowedOrigin('http://app.example', host, allowed)).toBe(false);
	});

	it('[AU10] no Origin header means a non-browser client: passed on to the credential check', () => {
		expect(isAllowedOrigin(undefined, host, [])).toBe(true);
	});
});
