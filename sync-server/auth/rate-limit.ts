/**
 * Fixed-window attempt counter per client address: `limit` attempts per window. Memory is
 * bounded: expired windows are dropped as the map grows, and past `maxKeys` the oldest go.
 */
export interface RateLimiter {
	/** Counts one attempt; when over the limit, says how long until the window resets. */
	take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(options: {
	limit: number;
	windowMs: number;
	maxKeys?: number;
	now?: () => number;
}): RateLimiter {
	const now = options.now ?? Date.now;
	const maxKeys = options.maxKeys ?? 10_000;
	const windows = new Map<string, { start: number; count: number }>();

	function prune(at: number) {
		for (const [key, w] of windows) if (at - w.start >= options.windowMs) windows.delete(key);
		// Map iterates in insertion order: what is left over the bound is the oldest.
		for (const key of windows.keys()) {
			if (windows.size < maxKeys) break;
			windows.delete(key);
		}
	}

	return {
		take(key) {
			const at = now();
			let w = windows.get(key);
			if (!w || at - w.start >= options.windowMs) {
				if (!w && windows.size >= maxKeys) prune(at);
				windows.delete(key);
				w = { start: at, count: 0 };
				windows.set(key, w);
			}
			w.count += 1;
			if (w.count <= options.limit) return { ok: true };
			return { ok: false, retryAfterSeconds: Math.ceil((w.start + options.windowMs - at) / 1000) };
		}
	};
}
