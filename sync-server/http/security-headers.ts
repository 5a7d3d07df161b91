import fs from 'node:fs';
import path from 'node:path';

/*
 * The Content Security Policy has one source: `kit.csp` in svelte.config.js. The build writes it,
 * with the hash of SvelteKit's inline start script, into the <meta http-equiv> of index.html (the
 * page every app route gets). The server reads that policy back and sends it as a header on every
 * app response, so header and page always agree and no script needs 'unsafe-inline'. A header
 * can say what a <meta> cannot: who may frame the app.
 */

const metaPolicy = /<meta\s+http-equiv="content-security-policy"\s+content="([^"]*)"/i;

/** When the app is not built (or was built without `kit.csp`): nothing may run at all. */
export const lockedDownPolicy = "default-src 'none'; frame-ancestors 'none'";

/** JSON from /api is never a document to render. */
export const apiPolicy = "default-src 'none'; frame-ancestors 'none'";

/** One year, this host only: HTTPS is how phones get the service worker (README). */
export const strictTransportSecurity = 'max-age=31536000';

/** The policy in a built page's <meta http-equiv>, or undefined when it has none. */
export function policyFromHtml(html: string): string | undefined {
	const match = metaPolicy.exec(html);
	if (!match?.[1]) return undefined;
	return decodeAttribute(match[1]).trim();
}

/** The header for app responses: the built page's policy, plus what only a header can carry. */
export function headerPolicy(pagePolicy: string | undefined): string {
	if (!pagePolicy) return lockedDownPolicy;
	return `${pagePolicy.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}

/**
 * The app's policy, read from `<appDir>/index.html` and read again when that file changes (a
 * rebuild while the server runs), so a new script hash never meets an old header.
 */
export function appPolicy(appDir: string): () => string {
	const index = path.join(path.resolve(appDir), 'index.html');
	let seen: { mtimeMs: number; size: number } | undefined;
	let policy = lockedDownPolicy;
	let warned = false;
	return () => {
		let stat: fs.Stats;
		try {
			stat = fs.statSync(index);
		} catch {
			seen = undefined;
			return lockedDownPolicy;
		}
		if (seen?.mtimeMs === stat.mtimeMs && seen.size === stat.size) return policy;
		const fromPage = policyFromHtml(fs.readFileSync(index, 'utf8'));
		if (!fromPage && !warned) {
			warned = true;
			console.error(`tether: ${index} has no Content-Security-Policy meta tag; serving none`);
		}
		policy = headerPolicy(fromPage);
		seen = { mtimeMs: stat.mtimeMs, size: stat.size };
		return policy;
	};
}

function decodeAttribute(value: string): string {
	return value
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&');
}
