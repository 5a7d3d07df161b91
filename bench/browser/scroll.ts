import type { Page } from '@playwright/test';
import { summarize, type Summary } from '../lib/stats.js';

export interface ScrollOptions {
	/** Scroll gestures from the newest message towards the oldest, each `distancePx` long. */
	gestures: number;
	distancePx: number;
	/** Gesture speed, pixels per second (a brisk flick on a trackpad is a few thousand). */
	speedPxPerSecond: number;
}

export interface ScrollResult {
	/** Intervals between animation frames while scrolling, in ms. */
	frames: Summary;
	/** Frames that took longer than 50 ms (the goal is none). */
	framesOver50: number;
	/** Long animation frames the browser reported (over 50 ms, with their blocking work). */
	longAnimationFrames: Summary;
	/** How far the conversation actually scrolled, in pixels. */
	scrolledPx: number;
	/** The longest animation frames, with the scripts that ran in them: what to look at first. */
	worst: LongFrame[];
}

export interface LongFrame {
	duration: number;
	/** Time spent in style and layout after the scripts. */
	renderMs: number;
	scripts: { invoker: string; source: string; durationMs: number }[];
}

/**
 * Issue 11's frame times: the open session is scrolled from its newest message towards its oldest
 * by real scroll gestures (the DevTools protocol synthesizes them as the compositor gets them from
 * a trackpad), while the page records the interval between animation frames and the browser's
 * long-animation-frame entries. Messages rendered on the way (the list is virtual) count in.
 */
export async function measureScroll(page: Page, options: ScrollOptions): Promise<ScrollResult> {
	const log = page.getByRole('log', { name: 'Conversation' });
	const box = await log.boundingBox();
	if (!box) throw new Error('the conversation is not on screen');
	// What the page does after its first paint (reading the rest of the session) is the load
	// figures' business: scrolling starts once the page has been quiet for a second.
	await page.evaluate(settle, { quietMs: 1000, timeoutMs: 15_000 });
	const startTop = await log.evaluate((element) => element.scrollTop);
	await page.evaluate(startRecording);
	const cdp = await page.context().newCDPSession(page);
	try {
		for (let i = 0; i < options.gestures; i++) {
			// Positive yDistance moves the content down: towards older messages.
			await cdp.send('Input.synthesizeScrollGesture', {
				x: Math.round(box.x + box.width / 2),
				y: Math.round(box.y + box.height / 2),
				yDistance: options.distancePx,
				speed: options.speedPxPerSecond,
				gestureSourceType: 'mouse',
				preventFling: true
			});
		}
	} finally {
		await cdp.detach();
	}
	const recorded = await page.evaluate(stopRecording);
	const endTop = await log.evaluate((element) => element.scrollTop);
	return {
		frames: summarize(recorded.frames),
		framesOver50: recorded.frames.filter((interval) => interval > 50).length,
		longAnimationFrames: summarize(recorded.longFrames.map((frame) => frame.duration)),
		scrolledPx: Math.round(startTop - endTop),
		worst: recorded.longFrames.sort((a, b) => b.duration - a.duration).slice(0, 3)
	};
}

interface Recording {
	frames: number[];
	longFrames: LongFrame[];
}

/** The fields of a long-animation-frame entry used here (not in TypeScript's DOM types yet). */
interface AnimationFrameEntry extends PerformanceEntry {
	renderStart: number;
	styleAndLayoutStart: number;
	scripts: {
		invoker: string;
		sourceURL: string;
		sourceFunctionName: string;
		duration: number;
	}[];
}

/** In the page: resolves once no long animation frame was seen for `quietMs` (or at the timeout). */
function settle({ quietMs, timeoutMs }: { quietMs: number; timeoutMs: number }): Promise<void> {
	return new Promise((resolve) => {
		const started = performance.now();
		let lastLong = started;
		const observer = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
			? new PerformanceObserver(() => (lastLong = performance.now()))
			: undefined;
		observer?.observe({ type: 'long-animation-frame' });
		const check = () => {
			const now = performance.now();
			if (now - lastLong >= quietMs || now - started >= timeoutMs) {
				observer?.disconnect();
				resolve();
			} else setTimeout(check, 100);
		};
		check();
	});
}

/** In the page: notes every animation frame's interval and every long animation frame. */
function startRecording(): void {
	const state: Recording & { running: boolean; observer?: PerformanceObserver } = {
		frames: [],
		longFrames: [],
		running: true
	};
	(globalThis as unknown as { __scrollBench: typeof state }).__scrollBench = state;
	let last = performance.now();
	const tick = (now: number) => {
		if (!state.running) return;
		state.frames.push(now - last);
		last = now;
		requestAnimationFrame(tick);
	};
	requestAnimationFrame((now) => {
		last = now;
		requestAnimationFrame(tick);
	});
	if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
		state.observer = new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as AnimationFrameEntry[]) {
				state.longFrames.push({
					duration: Math.round(entry.duration),
					renderMs: Math.round(entry.startTime + entry.duration - entry.renderStart),
					scripts: entry.scripts.map((script) => ({
						invoker: script.invoker,
						source: `${script.sourceFunctionName || '?'} ${script.sourceURL.replace(location.origin, '')}`,
						durationMs: Math.round(script.duration)
					}))
				});
			}
		});
		state.observer.observe({ type: 'long-animation-frame' });
	}
}

function stopRecording(): Recording {
	const state = (
		globalThis as unknown as {
			__scrollBench: Recording & { running: boolean; observer?: PerformanceObserver };
		}
	).__scrollBench;
	state.running = false;
	state.observer?.disconnect();
	return { frames: state.frames, longFrames: state.longFrames };
}
