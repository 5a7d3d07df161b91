import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Config } from '../config.js';

/*
 * The Host check against DNS rebinding [HD8]. A page on a domain the attacker re-points at this
 * machine is same-origin with itself: its Origin matches its Host, so the Origin check passes.
 * Its Host is still the attacker's name, though, so requests are only served for the names this
 * server is reached by: localhost, its own addresses, TETHER_PUBLIC_ORIGIN, the hosts of
 * TETHER_ALLOWED_ORIGINS, HOST, and the names in the TLS certificate.
 */

export type HostCheck = (host: string | undefined) => boolean;

export function hostCheck(
	config: Pick<Config, 'host' | 'publicOrigin' | 'allowedOrigins' | 'tls'>
): HostCheck {
	const names = new Set(['localhost', '127.0.0.1', '::1']);
	const add = (name: string) => names.add(name.toLowerCase().replace(/^\[|\]$/g, ''));
	if (!['0.0.0.0', '::', ''].includes(config.host)) add(config.host);
	for (const addresses of Object.values(os.networkInterfaces())) {
		for (const address of addresses ?? []) add(address.address);
	}
	for (const origin of [config.publicOrigin, ...config.allowedOrigins]) {
		if (!origin) continue;
		try {
			add(new URL(origin).hostname);
		} catch {
			// Not an origin: the Origin check never matches it either.
		}
	}
	if (config.tls) for (const name of certificateNames(config.tls.cert)) add(name);
	return (host) => {
		// HTTP/1.0 clients may send none; browsers always do, and rebinding needs a browser.
		if (host === undefined) return true;
		const name = hostnameOf(host);
		return name !== undefined && (names.has(name) || name.endsWith('.localhost'));
	};
}

function hostnameOf(host: string): string | undefined {
	try {
		return new URL(`http://${host}`).hostname.toLowerCase().replace(/^\[|\]$/g, '');
	} catch {
		return undefined;
	}
}

/** DNS names and IP addresses the certificate is for (wildcards are not served by name). */
function certificateNames(file: string): string[] {
	const alt = new X509Certificate(fs.readFileSync(file)).subjectAltName ?? '';
	return alt
		.split(',')
		.map((entry) => entry.trim())
		.flatMap((entry) => {
			const [kind, value] = entry.split(':', 2).map((part) => part.trim());
			if (!value || value.startsWith('*')) return [];
			if (kind === 'DNS') return [value];
			if (kind === 'IP Address') return [entry.slice(entry.indexOf(':') + 1).trim()];
			return [];
		});
}
