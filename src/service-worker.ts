/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * The app shell, offline. SvelteKit builds this file and gives the lists of what one version of
 * the app is made of; Workbox precaches them under that version and serves the shell for every
 * in-app navigation, so a deep link to a session opens with no network. The API and the sync
 * socket are never cached: they are live data, and IndexedDB is the app's offline copy.
 *
 * A new version installs beside the old one and waits: the page shows "Update available" and
 * only the person's Reload (a SKIP_WAITING message) lets it take over.
 */
import { base, build, files, version } from '$service-worker';
import { clientsClaim } from 'workbox-core';
import {
	cleanupOutdatedCaches,
	createHandlerBoundToURL,
	precacheAndRoute
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope;

const shell = `${base}/index.html`;

precacheAndRoute([
	// Hashed file names: the name is the revision.
	...build.map((url) => ({ url, revision: null })),
	// Static files and the shell keep their names between versions.
	...files.map((url) => ({ url, revision: version })),
	{ url: shell, revision: version }
]);
cleanupOutdatedCaches();

registerRoute(
	new NavigationRoute(createHandlerBoundToURL(shell), {
		denylist: [new RegExp(`^${base}/api(/|$)`), new RegExp(`^${base}/sync(/|$)`)]
	})
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
	if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// The first version takes the open page at once, so it works offline without a reload; later
// versions reach this only after skipWaiting, that is after the person chose Reload.
clientsClaim();

/*
 * Web Push: the server's notice of an ended run ({title, body, tag, url}, see core/run-notice.ts),
 * or of a file change waiting for approval (the same, with `approval`: the capability that answers
 * it, see core/approval-notice.ts), shown with the actions "Approve" and "Deny", or of such a
 * change that no longer waits (`settled`), which only replaces that approval's notification.
 * A page of Tether that the person is looking at already shows the answer: no notification then.
 */
self.addEventListener('push', (event: PushEvent) => {
	event.waitUntil(showPushedNotice(event));
});

async function showPushedNotice(event: PushEvent): Promise<void> {
	let notice: {
		title?: unknown;
		body?: unknown;
		tag?: unknown;
		url?: unknown;
		approval?: unknown;
		settled?: unknown;
	} = {};
	try {
		notice = (event.data?.json() ?? {}) as typeof notice;
	} catch {
		// Not ours, or damaged: still say something, as a push must show a notification.
	}
	const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
	const inFront = windows.some((client) => client.visibilityState === 'visible' && client.focused);
	const url = typeof notice.url === 'string' && notice.url.startsWith('/') ? notice.url : '/';
	const settled = notice.settled === true && typeof notice.tag === 'string';
	if (settled) {
		// Answered on some device, or ended: this device must stop offering "Approve". Only a
		// notification still showing is replaced (quietly); none is added where there is none.
		const showing = await self.registration.getNotifications({ tag: notice.tag as string });
		for (const shown of showing) shown.close();
		if (showing.length === 0) return;
	}
	if (inFront) return;
	const approval = !settled && typeof notice.approval === 'string' ? notice.approval : undefined;
	await self.registration.showNotification(
		typeof notice.title === 'string' ? notice.title : 'Tether',
		{
			body: typeof notice.body === 'string' ? notice.body : '',
			tag: typeof notice.tag === 'string' ? notice.tag : undefined,
			icon: `${base}/icons/icon-192.png`,
			data: { url, approval },
			silent: settled,
			// An approval stays until answered: the run waits for it.
			...(approval
				? {
						requireInteraction: true,
						actions: [
							{ action: 'approve', title: 'Approve' },
							{ action: 'deny', title: 'Deny' }
						]
					}
				: {})
		}
	);
}

/**
 * "Approve" or "Deny" on an approval's notification: the server takes the decision with the
 * capability the push carried, without opening the app. When it cannot (offline, already
 * answered, ended), the session opens so the person sees where the run is.
 */
async function answerApproval(approval: string, decision: string, url: URL): Promise<void> {
	const response = await fetch(`${base}/api/push/approval`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ token: approval, decision })
	}).catch(() => undefined);
	if (!response?.ok) await openSession(url);
}

/** Focuses a window of Tether that is already open on the session, else opens one. */
async function openSession(target: URL): Promise<void> {
	const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
	const open = windows[0];
	if (open) {
		await open.focus();
		// A window this worker does not control cannot be navigated from here: open a new one.
		const navigated = await open.navigate(target.href).catch(() => null);
		if (navigated) return;
	}
	await self.clients.openWindow(target.href);
}

/** A click opens the session; an approval's action answers it instead (see above). */
self.addEventListener('notificationclick', (event: NotificationEvent) => {
	event.notification.close();
	const data = event.notification.data as { url?: unknown; approval?: unknown } | null;
	const target = new URL(
		typeof data?.url === 'string' && data.url.startsWith('/') ? data.url : '/',
		self.location.origin
	);
	const work =
		typeof data?.approval === 'string' && (event.action === 'approve' || event.action === 'deny')
			? answerApproval(data.approval, event.action, target)
			: openSession(target);
	try {
		event.waitUntil(work);
	} catch {
		// An event the worker made itself (the tests' stand-in for a click) cannot extend its
		// life; the work goes on regardless.
	}
});
