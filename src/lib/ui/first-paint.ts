import type { MessageRow, SessionRow } from '$lib/core/rows';
import { rememberOpenSession } from '$lib/store/session-snapshot';

/*
 * The picture `static/first-paint.js` draws before the app's modules run ([PW20]): the app takes
 * it away once it shows the same thing itself, and keeps the open session's end for next time.
 */

const pictureId = 'first-paint';

/** The app's own conversation's messages, not the picture's. */
export const liveMessageSelector = `:not(#${pictureId}) > .app [role="log"] article`;

/** The app now shows what the picture showed (or something else): the picture goes. */
export function dropFirstPaint(): void {
	document.getElementById(pictureId)?.remove();
}

/**
 * Takes the picture away in the very task in which `shown()` became true (a mutation observer's
 * callback runs before the browser paints or any other task runs), so no frame shows both the
 * picture and the app's rows, or neither. Returns what stops watching.
 */
export function dropFirstPaintOnceShown(shown: () => boolean): () => void {
	if (!document.getElementById(pictureId)) return () => {};
	if (shown()) {
		dropFirstPaint();
		return () => {};
	}
	const observer = new MutationObserver(() => {
		if (!shown()) return;
		observer.disconnect();
		dropFirstPaint();
	});
	observer.observe(document.body, { childList: true, subtree: true });
	return () => observer.disconnect();
}

/**
 * Keeps the end of the shown session in localStorage for the next start: a second after the last
 * change (a streaming answer changes its row many times a second), and at once when the page is
 * hidden, which is often the last chance on a phone before the tab is killed.
 */
export function keepOpenSession(
	project: string,
	current: () => { session: SessionRow | undefined; rows: readonly MessageRow[] }
): { changed(): void; destroy(): void } {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const save = () => {
		clearTimeout(timer);
		timer = undefined;
		const { session, rows } = current();
		if (session) rememberOpenSession(project, session, rows);
	};
	const onHidden = () => {
		if (document.visibilityState === 'hidden' && timer !== undefined) save();
	};
	document.addEventListener('visibilitychange', onHidden);
	return {
		changed() {
			clearTimeout(timer);
			timer = setTimeout(save, 1000);
		},
		// Not saved here: the next session shown replaces it anyway, and a view that goes because
		// its session was deleted must not write the session back.
		destroy() {
			document.removeEventListener('visibilitychange', onHidden);
			clearTimeout(timer);
		}
	};
}
