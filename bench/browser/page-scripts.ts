/*
 * Functions that run inside the page (Playwright serializes them): no imports, no closures.
 */

export interface PaintMarks {
	/** performance.now() (ms since navigation start) when a message article entered the log. */
	inserted: number;
	/** The first task after the next animation frame, i.e. just after that frame was painted. */
	painted: number;
	/** When the article of the last message (marker `lastMarker`) entered the log. */
	lastInserted: number;
	/** The first task after the frame following `lastInserted`: the last message was painted. */
	lastPainted: number;
	/**
	 * The same for the app's own rows, not the picture `first-paint.js` draws before the modules
	 * run ([PW20]): when the live conversation shows the last message.
	 */
	liveLastPainted: number;
	/** A service worker controls the page: it served the navigation from its cache. */
	controlled: boolean;
	/** Navigation timing: the worker started, the shell HTML fully arrived. */
	workerStart: number;
	responseEnd: number;
	/** For context: the navigation's DOMContentLoaded end and first contentful paint. */
	domContentLoaded: number;
	firstContentfulPaint: number;
	/** Main-thread tasks over 50 ms that started before `painted`: their count and total time. */
	longTasks: number;
	longTaskMs: number;
}

declare global {
	interface Window {
		__benchPaint?: PaintMarks;
	}
}

/** Init script: notes when the first message appears in the conversation log, and when painted. */
export function watchFirstMessage(lastMarker: string): void {
	const marks: PaintMarks = {
		inserted: NaN,
		painted: NaN,
		lastInserted: NaN,
		lastPainted: NaN,
		liveLastPainted: NaN,
		controlled: false,
		workerStart: NaN,
		responseEnd: NaN,
		domContentLoaded: NaN,
		firstContentfulPaint: NaN,
		longTasks: 0,
		longTaskMs: 0
	};
	new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			if (!Number.isNaN(marks.painted) && entry.startTime > marks.painted) continue;
			marks.longTasks++;
			marks.longTaskMs += entry.duration;
		}
	}).observe({ type: 'longtask', buffered: true });
	window.__benchPaint = marks;
	const selector = '[role="log"][aria-label="Conversation"] article';
	// The first task after the next frame: that frame was painted.
	const afterPaint = (mark: (time: number) => void) =>
		requestAnimationFrame(() => {
			const channel = new MessageChannel();
			channel.port1.onmessage = () => mark(performance.now());
			channel.port2.postMessage(0);
		});
	let liveSeen = false;
	const observer = new MutationObserver(() => {
		const now = performance.now();
		if (Number.isNaN(marks.inserted) && document.querySelector(selector)) {
			marks.inserted = now;
			afterPaint((time) => (marks.painted = time));
		}
		for (const article of Number.isNaN(marks.inserted) ? [] : document.querySelectorAll(selector)) {
			if (!article.textContent?.includes(lastMarker)) continue;
			if (Number.isNaN(marks.lastInserted)) {
				marks.lastInserted = now;
				afterPaint((time) => (marks.lastPainted = time));
			}
			if (!liveSeen && !article.closest('#first-paint')) {
				liveSeen = true;
				afterPaint((time) => (marks.liveLastPainted = time));
			}
		}
		if (liveSeen) observer.disconnect();
	});
	observer.observe(document, { childList: true, subtree: true, characterData: true });
}

/** Polled after a load: the marks once complete (navigation timing filled in), else null. */
export function completeMarks(): PaintMarks | null {
	const marks = window.__benchPaint;
	if (!marks || Number.isNaN(marks.painted) || Number.isNaN(marks.liveLastPainted)) return null;
	const navigation = performance.getEntriesByType('navigation')[0] as
		PerformanceNavigationTiming | undefined;
	const fcp = performance.getEntriesByName('first-contentful-paint')[0];
	if (!navigation?.domContentLoadedEventEnd || !fcp) return null;
	return {
		...marks,
		controlled: navigator.serviceWorker.controller !== null,
		workerStart: navigation.workerStart,
		responseEnd: navigation.responseEnd,
		domContentLoaded: navigation.domContentLoadedEventEnd,
		firstContentfulPaint: fcp.startTime
	};
}

export interface StoredBytes {
	dbName: string;
	updates: number;
	updateBytes: number;
	messageRows: number;
	/** UTF-8 length of each row as JSON: close to what IndexedDB keeps per row before overhead. */
	messageRowBytes: number;
	/** UTF-8 bytes of the message texts alone: the content every representation must hold. */
	textBytes: number;
	/** navigator.storage.estimate().usage: what the origin occupies on disk, all databases. */
	usage: number;
	/** Time for one raw getAll of the session's updates, then of its rows: the floor for a load. */
	updatesReadMs: number;
	rowsReadMs: number;
}

/** Counts what the account database holds for one session doc. */
export async function measureStored(args: {
	docName: string;
	sessionId: string;
}): Promise<StoredBytes> {
	const names = (await indexedDB.databases()).map((d) => d.name ?? '');
	const dbName = names.find((n) => n.startsWith('tether-account-'));
	if (!dbName) throw new Error(`no account database among ${names.join(', ')}`);
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(dbName);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const read = <T>(store: string, index: string, key: string) =>
		new Promise<T[]>((resolve, reject) => {
			const request = db.transaction(store, 'readonly').objectStore(store).index(index).getAll(key);
			request.onsuccess = () => resolve(request.result as T[]);
			request.onerror = () => reject(request.error);
		});
	const t0 = performance.now();
	const updates = await read<{ data: Uint8Array }>('updates', 'docName', args.docName);
	const t1 = performance.now();
	const rows = await read<Record<string, unknown>>('messages', 'sessionId', args.sessionId);
	const t2 = performance.now();
	db.close();
	const encoder = new TextEncoder();
	const estimate = await navigator.storage.estimate();
	return {
		dbName,
		updates: updates.length,
		updateBytes: updates.reduce((n, u) => n + u.data.byteLength, 0),
		messageRows: rows.length,
		messageRowBytes: rows.reduce((n, r) => n + encoder.encode(JSON.stringify(r)).byteLength, 0),
		textBytes: rows.reduce((n, r) => n + encoder.encode(String(r.text ?? '')).byteLength, 0),
		usage: estimate.usage ?? NaN,
		updatesReadMs: t1 - t0,
		rowsReadMs: t2 - t1
	};
}

/**
 * Fallback while the app does not sync yet: writes what the doc store would write after
 * receiving the session document (its update and the message rows), in one transaction.
 */
export async function seedSession(args: {
	docName: string;
	updateBase64: string;
	rows: unknown[];
}): Promise<void> {
	const names = (await indexedDB.databases()).map((d) => d.name ?? '');
	const dbName = names.find((n) => n.startsWith('tether-account-'));
	if (!dbName) throw new Error(`no account database among ${names.join(', ')}`);
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(dbName);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const binary = atob(args.updateBase64);
	const data = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
	const tx = db.transaction(['updates', 'messages'], 'readwrite');
	tx.objectStore('updates').add({ docName: args.docName, data });
	const messages = tx.objectStore('messages');
	for (const row of args.rows) messages.put(row);
	await new Promise<void>((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error);
		tx.onabort = () => reject(tx.error);
	});
	db.close();
}

export interface ListMarks {
	/** performance.now() when the first session link entered the "Sessions" region. */
	inserted: number;
	/** The first task after the next animation frame: that frame was painted. */
	painted: number;
	/** A service worker controls the page (it served the start). */
	controlled: boolean;
	/** Navigation timing: the service worker was started, the shell HTML fully arrived. */
	workerStart: number;
	responseEnd: number;
	/** DOMContentLoaded finished: the shell's module scripts ran. */
	domContentLoaded: number;
}

declare global {
	interface Window {
		__benchList?: ListMarks;
	}
}

/** Init script: notes when the session list shows its first session, and when painted. */
export function watchSessionList(): void {
	const marks: ListMarks = {
		inserted: NaN,
		painted: NaN,
		controlled: false,
		workerStart: NaN,
		responseEnd: NaN,
		domContentLoaded: NaN
	};
	window.__benchList = marks;
	// The app's own list, which can be used: not the inert picture of [PW20] drawn before it.
	const selector = ':not(#first-paint) > .app section[aria-label="Sessions"] a[href*="/s/"]';
	const observer = new MutationObserver(() => {
		if (!Number.isNaN(marks.inserted) || !document.querySelector(selector)) return;
		marks.inserted = performance.now();
		observer.disconnect();
		requestAnimationFrame(() => {
			const channel = new MessageChannel();
			channel.port1.onmessage = () => (marks.painted = performance.now());
			channel.port2.postMessage(0);
		});
	});
	observer.observe(document, { childList: true, subtree: true });
}

/** Polled after a start: the marks once the list was painted, else null. */
export function completeListMarks(): ListMarks | null {
	const marks = window.__benchList;
	if (!marks || Number.isNaN(marks.painted)) return null;
	const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
	return {
		...marks,
		controlled: navigator.serviceWorker.controller !== null,
		workerStart: nav.workerStart,
		responseEnd: nav.responseEnd,
		domContentLoaded: nav.domContentLoadedEventEnd
	};
}
