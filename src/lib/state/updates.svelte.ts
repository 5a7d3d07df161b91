import { Workbox } from 'workbox-window';

/** How often an open app asks the server whether a new version is out (also on focus). */
const checkEveryMs = 60 * 60 * 1000;

/**
 * New versions of the app, through the service worker. A new version installs in the
 * background and waits; `available` turns true and the page offers Reload. Nothing reloads
 * until the person asks: then this tab saves what it holds, lets the waiting version take
 * over, and reloads once it controls the page.
 */
class AppUpdates {
	available = $state(false);
	#workbox: Workbox | undefined;
	#reloading = false;
	#beforeReload: () => Promise<void> = async () => {};

	/** Registers the service worker (only in the built app) and starts checking for updates. */
	start(scriptUrl: string, beforeReload: () => Promise<void>): () => void {
		if (this.#workbox || !('serviceWorker' in navigator)) return () => {};
		this.#beforeReload = beforeReload;
		const workbox = new Workbox(scriptUrl);
		this.#workbox = workbox;
		workbox.addEventListener('waiting', () => (this.available = true));
		// A page loaded without a service worker runs the code it just fetched: the first worker
		// taking control changes nothing. A page that had one and gets another (another tab's
		// Reload let a new version take over) runs the old code.
		const hadController = navigator.serviceWorker.controller !== null;
		workbox.addEventListener('controlling', () => {
			if (this.#reloading) location.reload();
			else if (hadController) this.available = true;
		});
		workbox.register().catch((error: unknown) => {
			// Without a service worker the app still works online; it just won't open offline.
			console.error('the service worker could not be registered', error);
		});

		const check = () => void this.check();
		const onVisible = () => document.visibilityState === 'visible' && check();
		const timer = setInterval(check, checkEveryMs);
		window.addEventListener('focus', check);
		document.addEventListener('visibilitychange', onVisible);
		return () => {
			clearInterval(timer);
			window.removeEventListener('focus', check);
			document.removeEventListener('visibilitychange', onVisible);
		};
	}

	/** Asks the server for a newer service worker now. */
	async check(): Promise<void> {
		if (!this.#workbox || this.available || !navigator.onLine) return;
		try {
			await this.#workbox.update();
		} catch (error) {
			// The server is unreachable: the next check (timer, focus) tries again.
			console.info('checking for a new version failed', error);
		}
	}

	/** The person chose Reload: save, hand over to the waiting version, reload. */
	async reload(): Promise<void> {
		this.#reloading = true;
		await this.#beforeReload();
		const registration = await navigator.serviceWorker.getRegistration();
		if (registration?.waiting) this.#workbox?.messageSkipWaiting();
		else location.reload();
	}
}

export const updates = new AppUpdates();
