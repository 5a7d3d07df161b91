/** How often to ask again while the server cannot be reached. */
const retryMs = 10_000;

/**
 * Whether this page can reach the Tether server. `navigator.onLine` alone is not enough: it says
 * true on a network with no way out, or when only the server is down. So this also asks the
 * server's health route, on start, when the browser says it is back online, and every few
 * seconds while the answer is no.
 */
export class ServerReachability {
	reachable = $state<boolean | undefined>();

	start(): () => void {
		let timer: ReturnType<typeof setTimeout> | undefined;
		let stopped = false;
		const check = async () => {
			clearTimeout(timer);
			const answer = navigator.onLine ? await this.#ask() : false;
			if (stopped) return;
			this.reachable = answer;
			if (!answer) timer = setTimeout(() => void check(), retryMs);
		};
		const onOnline = () => void check();
		const onOffline = () => void check();
		window.addEventListener('online', onOnline);
		window.addEventListener('offline', onOffline);
		void check();
		return () => {
			stopped = true;
			clearTimeout(timer);
			window.removeEventListener('online', onOnline);
			window.removeEventListener('offline', onOffline);
		};
	}

	async #ask(): Promise<boolean> {
		try {
			const response = await fetch('/api/health', { cache: 'no-store' });
			return response.ok;
		} catch {
			// A network error is the answer we are asking for: not reachable.
			return false;
		}
	}
}
