import { ConfigError } from '../config.js';

/**
 * The push services the server will send to (TETHER_PUSH_SERVICES, comma-separated): a host name
 * allows it and its subdomains; a full origin (`https://127.0.0.1:9000`) allows exactly that
 * origin, which is how tests reach a local fake. Pushes go over https only. Anything else is refused when a device
 * subscribes, so no account can make the server send requests to an address of its choosing.
 */
export const defaultPushServices = [
	'fcm.googleapis.com',
	'updates.push.services.mozilla.com',
	'push.apple.com',
	'notify.windows.com'
];

export interface PushOptions {
	services: string[];
	/** VAPID subject: TETHER_PUBLIC_ORIGIN when it is https, else a mailto: address. */
	subject: string;
}

export function readPushOptions(env: NodeJS.ProcessEnv = process.env): PushOptions {
	const raw = env.TETHER_PUSH_SERVICES;
	const services =
		raw === undefined || raw.trim() === ''
			? defaultPushServices
			: raw
					.split(',')
					.map((s) => s.trim().toLowerCase())
					.filter(Boolean);
	for (const service of services) {
		if (service.includes('://')) {
			let url: URL;
			try {
				url = new URL(service);
			} catch {
				throw new ConfigError(`TETHER_PUSH_SERVICES: "${service}" is not a valid origin`);
			}
			if (url.origin !== service.replace(/\/$/, '')) {
				throw new ConfigError(`TETHER_PUSH_SERVICES: "${service}" must be an origin, no path`);
			}
		} else if (!/^[a-z0-9.-]+$/.test(service)) {
			throw new ConfigError(`TETHER_PUSH_SERVICES: "${service}" is not a host name`);
		}
	}
	const origin = env.TETHER_PUBLIC_ORIGIN;
	const subject = origin?.startsWith('https://') ? origin : 'mailto:tether@localhost';
	return { services, subject };
}

/** Whether the server may send pushes to `endpoint`. */
export function allowedEndpoint(endpoint: URL, services: readonly string[]): boolean {
	if (endpoint.protocol !== 'https:') return false;
	for (const service of services) {
		if (service.includes('://')) {
			if (endpoint.origin === service.replace(/\/$/, '')) return true;
		} else if (endpoint.hostname === service || endpoint.hostname.endsWith(`.${service}`)) {
			return true;
		}
	}
	return false;
}
