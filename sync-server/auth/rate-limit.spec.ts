import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

describe('login rate limit', () => {
	it('[AU6] allows `limit` attempts per window per address, then says when to retry', () => {
		let t = 0;
		const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, now: () => t });
		expect(limiter.take('a').ok).toBe(true);
		expect(limiter.take('a').ok).toBe(true);
		t = 15_000;
		expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 45 });
		expect(limiter.take('b').ok).toBe(true);
		t = 60_000;
		expect(limiter.take('a').ok).toBe(true);
	});

	it('[AU6] keeps memory bounded under many addresses', () => {
		let t = 0;
		const limiter = createRateLimiter({ limit: 1, windowMs: 1000, maxKeys: 100, now: () => t });
		for (let i = 0; i < 10_000; i++) {
			t = i;
			limiter.take(`10.0.${i >> 8}.${i & 255}`);
		}
		// The newest address is still counted: its second attempt is refused.
		expect(limiter.take('10.0.39.15').ok).toBe(false);
	});
});
