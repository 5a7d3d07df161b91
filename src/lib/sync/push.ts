/**
 * This device's Web Push subscription: made once the person allowed notifications, and sent to
 * the server, which pushes a notice when a run ends while no page of Tether is looking. Every
 * step may fail (no push service reachable, a browser without push): notifications are then only
 * shown by an open page, and nothing else changes.
 */
export class PushSubscriber {
	readonly #token: () => Promise<string>;
	#done: Promise<void> | undefined;

	constructor(token: () => Promise<string>) {
		this.#token = token;
	}

	/** Subscribes this device once notifications are allowed; safe to call often. */
	ensure(): Promise<void> {
		if (!notificationsAllowed() || !('PushManager' in window)) return Promise.resolve();
		this.#done ??= this.#subscribe().catch((error: unknown) => {
			this.#done = undefined;
			console.info('push notifications are not available on this device', error);
		});
		return this.#done;
	}

	async #subscribe(): Promise<void> {
		const registration = await navigator.serviceWorker.ready;
		const response = await fetch('/api/push/key');
		if (!response.ok) throw new Error(`the server has no push key (${response.status})`);
		const { publicKey } = (await response.json()) as { publicKey: string };
		const subscription =
			(await registration.pushManager.getSubscription()) ??
			(await registration.pushManager.subscribe({
				userVisibleOnly: true,
				applicationServerKey: fromBase64Url(publicKey)
			}));
		const saved = await fetch('/api/push/subscriptions', {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				authorization: `Bearer ${await this.#token()}`
			},
			body: JSON.stringify(subscription.toJSON())
		});
		if (!saved.ok) throw new Error(`the server refused the subscription (${saved.status})`);
	}
}

export function notificationsAllowed(): boolean {
	return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

/**
 * Asks for permission to notify, the first time only (a person's send is the moment: never at
 * load). Resolves true when notifications are allowed.
 */
export async function askToNotify(): Promise<boolean> {
	if (typeof Notification === 'undefined') return false;
	if (Notification.permission === 'default') {
		try {
			await Notification.requestPermission();
		} catch {
			return false;
		}
	}
	return Notification.permission === 'granted';
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
	const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
	const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}
