import type { Page } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, syncStatus, test } from './fixtures.js';

/** Waits until the service worker has precached the app and controls the page. */
async function whenControlled(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await expect
		.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
		.toBe(true);
}

/** Width and height from a PNG's header. */
function pngSize(bytes: Buffer): { width: number; height: number } {
	expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

interface Manifest {
	name: string;
	short_name: string;
	description: string;
	start_url: string;
	display: string;
	theme_color: string;
	background_color: string;
	icons: { src: string; sizes: string; type: string; purpose?: string }[];
	shortcuts: { name: string; url: string }[];
}

test.describe('[PW] install and offline', () => {
	test('[PW1] the manifest, its icons and a controlling service worker meet Chromium’s install criteria', async ({
		page
	}) => {
		await page.goto('/');
		const href = await page.locator('link[rel="manifest"]').getAttribute('href');
		expect(href).toBe('/manifest.webmanifest');
		const response = await page.request.get(href ?? '');
		expect(response.headers()['content-type']).toBe('application/manifest+json');
		expect(response.headers()['cache-control']).toBe('no-cache');
		const manifest = (await response.json()) as Manifest;
		expect(manifest).toMatchObject({
			name: 'Tether',
			short_name: 'Tether',
			display: 'standalone',
			start_url: '/'
		});
		expect(manifest.description.length).toBeGreaterThan(10);
		expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
		expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
		expect(manifest.shortcuts).toContainEqual({
			name: 'New session',
			short_name: 'New session',
			description: expect.any(String),
			url: '/new-session',
			icons: expect.any(Array)
		});

		// Every icon is there, a PNG of the size it claims; one of 192, one of 512, one maskable.
		for (const icon of manifest.icons) {
			const res = await page.request.get(icon.src);
			expect(res.status(), icon.src).toBe(200);
			expect(res.headers()['content-type']).toBe('image/png');
			const { width, height } = pngSize(await res.body());
			expect(`${width}x${height}`).toBe(icon.sizes);
		}
		const sizes = (purpose: string) =>
			manifest.icons.filter((i) => (i.purpose ?? 'any') === purpose).map((i) => i.sizes);
		expect(sizes('any')).toEqual(expect.arrayContaining(['192x192', '512x512']));
		expect(sizes('maskable')).toContain('512x512');

		// Light and dark theme colours for the browser's own UI.
		const themes = await page
			.locator('meta[name="theme-color"]')
			.evaluateAll((metas) => metas.map((m) => m.getAttribute('media')));
		expect(themes).toEqual(['(prefers-color-scheme: light)', '(prefers-color-scheme: dark)']);

		await whenControlled(page);
		const sw = await page.request.get('/service-worker.js');
		expect(sw.headers()['cache-control']).toBe('no-cache');

		// Chromium's own verdict.
		const cdp = await page.context().newCDPSession(page);
		const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
		// Test browsers run in an incognito-like profile, where Chromium never offers installing.
		expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);
		const parsed = await cdp.send('Page.getAppManifest');
		expect(parsed.errors).toEqual([]);
	});

	test('[PW2] the service worker never caches /api or /sync, and does not serve the shell for them', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Cached app, live data');
		await expect(syncStatus(page)).toHaveText('Synced');
		await whenControlled(page);
		const cached = await page.evaluate(async () => {
			const urls: string[] = [];
			for (const name of await caches.keys()) {
				for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
			}
			return urls.map((u) => new URL(u).pathname);
		});
		expect(cached).toContain('/index.html');
		expect(cached.some((p) => p.startsWith('/_app/immutable/'))).toBe(true);
		expect(cached.filter((p) => /^\/(api|sync)(\/|$)/.test(p))).toEqual([]);

		await page.context().setOffline(true);
		await expect(page.goto('/api/health')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
		await page.context().setOffline(false);
	});

	test('[PW3] after one online visit a deep link to a session opens offline with its messages; edits and messages wait', async ({
		page,
		apiKey,
		tether
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Offline project');
		await newSession(page);
		const text = 'Read me offline 👋🏽 café مرحبا';
		await send(page, text);
		await expect(syncStatus(page)).toHaveText('Synced');
		await whenControlled(page);
		const deepLink = page.url();

		// No network at all: the browser is offline and the server is gone.
		await tether.stop();
		await page.context().setOffline(true);
		try {
			await page.reload();
			const conversation = page.getByRole('log', { name: 'Conversation' });
			await expect(conversation.getByRole('article', { name: 'You' })).toContainText([text]);
			await expect(syncStatus(page)).toHaveText('Offline');

			// A fresh tab at the deep link, too.
			const tab = await page.context().newPage();
			await tab.goto(deepLink);
			await expect(
				tab.getByRole('log', { name: 'Conversation' }).getByRole('article')
			).toContainText([text]);
			await tab.close();

			// Compose and edit offline: kept on this device, waiting for the network.
			await send(page, 'Written with no network');
			await page
				.getByRole('navigation', { name: 'Projects' })
				.getByRole('link', { name: 'Offline project' })
				.click();
			const info = page.getByRole('textbox', { name: 'Project information' });
			await info.fill('Edited offline');
			await page.goBack();
			await expect(
				page.getByRole('log', { name: 'Conversation' }).getByRole('article')
			).toContainText([text, 'Written with no network']);
		} finally {
			await page.context().setOffline(false);
			await tether.restart();
		}
		await expect(syncStatus(page)).toHaveText('Synced', { timeout: 20_000 });
	});

	test('[PW5] offline, the sign-in screen says a new key needs the network', async ({ page }) => {
		await page.goto('/');
		await expect(page.getByRole('textbox', { name: 'Anthropic API key' })).toBeVisible();
		await whenControlled(page);
		await page.context().setOffline(true);
		await page.reload();
		await expect(page.getByRole('textbox', { name: 'Anthropic API key' })).toBeVisible();
		await expect(page.getByRole('status')).toContainText(
			'a key this device has never used needs the network'
		);
		await page.context().setOffline(false);
	});

	test('[PW7] the New session shortcut opens a new session in the project worked in last', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'First');
		await createProject(page, 'Worked in last');
		await newSession(page);
		await send(page, 'recent work');
		const before = page.url();
		await page.goto('/new-session');
		await expect(page).toHaveURL(/\/p\/[^/]+\/s\/[^/]+$/);
		expect(page.url()).not.toBe(before);
		const sessions = page.getByRole('region', { name: 'Sessions' }).getByRole('link');
		await expect(sessions).toHaveCount(2);
		expect(page.url().split('/s/')[0]).toBe(before.split('/s/')[0]);
	});
});
