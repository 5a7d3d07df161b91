export { seeded } from '../../tests/lib/seeded.js';

/** Summary statistics for latency samples (milliseconds). */
export interface Summary {
	count: number;
	min: number;
	p50: number;
	p90: number;
	p95: number;
	p99: number;
	max: number;
	mean: number;
}

/** Nearest-rank percentile of sorted values; `q` in [0, 1]. */
export function percentile(sorted: readonly number[], q: number): number {
	if (sorted.length === 0) return NaN;
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
	return sorted[rank] ?? NaN;
}

/** Non-finite samples (a mark the page never set) are left out. */
export function summarize(samples: readonly number[]): Summary {
	const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
	const sum = sorted.reduce((a, b) => a + b, 0);
	return {
		count: sorted.length,
		min: sorted[0] ?? NaN,
		p50: percentile(sorted, 0.5),
		p90: percentile(sorted, 0.9),
		p95: percentile(sorted, 0.95),
		p99: percentile(sorted, 0.99),
		max: sorted[sorted.length - 1] ?? NaN,
		mean: sorted.length ? sum / sorted.length : NaN
	};
}
