import { formatTable, kib, ms, timingCells } from '../lib/table.js';
import {
	runBrowserBench,
	type BrowserBenchOptions,
	type BrowserBenchResult
} from './first-paint.js';

export { runBrowserBench, type BrowserBenchOptions, type BrowserBenchResult };

export function browserTables(r: BrowserBenchResult): string[] {
	const how =
		r.source === 'sync'
			? 'received through sync'
			: 'written into IndexedDB by the bench (the app does not sync yet)';
	const paint = formatTable(
		`Browser (Chromium, built app, real server): ${r.messages}-message session, ${how}; ` +
			`${r.runs.length} reloads, shell served ` +
			`${r.servedByWorker ? 'by the service worker' : 'NOT always by the service worker'}`,
		['from navigation to', 'median', 'mean', 'min', 'max', 'goal'],
		[
			['last message painted', ...timingCells(r.lastPainted), '< 150 ms'],
			['the same in the app’s own rows', ...timingCells(r.liveLastPainted), ''],
			['first message painted', ...timingCells(r.firstPaint), ''],
			['first message in the DOM', ...timingCells(r.firstInserted), ''],
			['last message in the DOM', ...timingCells(r.lastMessageInserted), ''],
			['(service worker started)', ...timingCells(r.workerStart), ''],
			['(shell HTML received)', ...timingCells(r.responseEnd), ''],
			['(DOMContentLoaded)', ...timingCells(r.domContentLoaded), ''],
			['(first contentful paint)', ...timingCells(r.firstContentfulPaint), ''],
			['(long tasks before paint, total)', ...timingCells(r.longTaskMs), '']
		]
	);
	const goal = `Goal: last messages painted < 150 ms: ${
		r.lastPainted.p50 < 150 ? 'met' : 'not met'
	} (median ${ms(r.lastPainted.p50)}).`;
	const bytes = formatTable(
		`IndexedDB per 1,000 messages (${r.after.updates} stored update(s) for the session)`,
		['what', 'per 1,000 messages'],
		[
			['(message text alone, UTF-8)', kib(r.perThousand.textBytes)],
			['Yjs updates of the session doc', kib(r.perThousand.updateBytes)],
			['message rows (UTF-8 JSON)', kib(r.perThousand.rowBytes)],
			['navigator.storage.estimate() growth', kib(r.perThousand.usageDelta)]
		]
	);
	const reads =
		`For comparison, one raw IndexedDB getAll in the page: the session's updates ` +
		`${ms(r.after.updatesReadMs)}, its ${r.after.messageRows} message rows ${ms(r.after.rowsReadMs)}.`;
	const { scroll } = r;
	const frames = formatTable(
		`Scrolling the ${r.messages}-message session from its newest message towards its oldest ` +
			`(${Math.round(scroll.scrolledPx).toLocaleString('en')} px by wheel gestures)`,
		['figure', 'value', 'goal'],
		[
			['frames', String(scroll.frames.count), ''],
			['frame interval p50 / p99', `${ms(scroll.frames.p50)} / ${ms(scroll.frames.p99)}`, ''],
			['longest frame', ms(scroll.frames.max), '<= 50 ms'],
			['frames over 50 ms', String(scroll.framesOver50), '0'],
			['long animation frames (browser)', String(scroll.longAnimationFrames.count), '0']
		]
	);
	const worst = scroll.worst
		.map(
			(frame) =>
				`${frame.duration} ms (render ${frame.renderMs} ms): ` +
				(frame.scripts.map((s) => `${s.invoker} ${s.source} ${s.durationMs} ms`).join(', ') ||
					'no script')
		)
		.join('\n');
	return [paint, goal, bytes, reads, frames, ...(worst ? [`Longest frames:\n${worst}`] : [])];
}
