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
 * Web Push: the server's notice of an ended run ({title, body, tag, url}, see core/run-notice.ts).
 * A page of Tether that the person is looking at already shows the answer: no notification then.
 */
self.addEventListener('push', (event: PushEvent) => {
	event.waitUntil(showPushedNotice(event));
});

async function showPushedNotice(event: PushEvent): Promise<void> {
	let notice: { title?: unknown; body?: unknown; tag?: unknown; url?: unknown } = {};
	try {
		notice = (event.data?.json() ?? {}) as typeof notice;
	} catch {
		// Not ours, or damaged: still say something, as a push must show a notification.
	}
	const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
	if (windows.some((client) => client.visibilityState === 'visible' && client.focused)) return;
	const url = typeof notice.url === 'string' && notice.url.startsWith('/') ? notice.url : '/';
	await self.registration.showNotification(
		typeof notice.title === 'string' ? notice.title : 'Tether',
		{
			body: typeof notice.body === 'string' ? notice.body : '',
			tag: typeof notice.tag === 'string' ? notice.tag : undefined,
			icon: `${base}/icons/icon-192.png`,
			data: { url }
		}
	);
}

/** A click opens the session: in a window of Tether that is already open, else in a new one. */
self.addEventListener('notificationclick', (event: NotificationEvent) => {
	event.notification.close();
	const url = (event.notification.data as { url?: unknown } | null)?.url;
	const target = new URL(
		typeof url === 'string' && url.startsWith('/') ? url : '/',
		self.location.origin
	);
	event.waitUntil(
		(async () => {
			const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
			const open = windows[0];
			if (open) {
				await open.focus();
				// A window this worker does not control cannot be navigated from here: open a new one.
				const navigated = await open.navigate(target.href).catch(() => null);
				if (navigated) return;
			}
			await self.clients.openWindow(target.href);
		})()
	);
});
