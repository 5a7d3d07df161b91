import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Event-loop delay since the server started, for `/api/health` and `npm run bench` [HD1]: how
 * long a timer waited behind synchronous work (Yjs decoding and applying, encoding answers).
 * The process's own figures only, nothing about any account.
 */
export function loopDelay(): () => { loopDelayP99Ms: number; loopDelayMaxMs: number } {
	const histogram = monitorEventLoopDelay({ resolution: 10 });
	histogram.enable();
	const ms = (ns: number) => Math.round(ns / 1e5) / 10;
	return () => ({
		loopDelayP99Ms: ms(histogram.percentile(99)),
		loopDelayMaxMs: ms(histogram.max)
	});
}
