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
