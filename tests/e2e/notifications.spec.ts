import type { CDPSession, Page } from '@playwright/test';
import { answers, createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/** The notifications Tether's service worker shows now: title, body and the session they open. */
function shownNotifications(page: Page) {
	return page.evaluate(async () => {
		const registration = await navigator.serviceWorker.ready;
		const shown = await registration.getNotifications();
		return shown.map((n) => ({
			title: n.title,
			body: n.body,
			tag: n.tag,
			url: (n.data as { url?: string } | null)?.url
		}));
	});
}

/**
 * What the browser does when the person switches to another app or tab: the page's visibility
 * becomes hidden. Headless Chromium keeps every page visible, so the test says it for the browser.
 */
async function hide(page: Page): Promise<void> {
	await page.evaluate(() => {
		Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
		document.dispatchEvent(new Event('visibilitychange'));
	});
}

/** The id of the app's service worker registration, as the DevTools protocol names it. */
async function registrationId(cdp: CDPSession, origin: string): Promise<string> {
	const found = new Promise<string>((resolve) => {
		cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
			const ours = registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted);
			if (ours) resolve(ours.registrationId);
		});
	});
	await cdp.send('ServiceWorker.enable');
	return found;
}

test('[NT4] an answer that ends while the page is hidden shows one notification naming the session; a visible page shows none', async ({
	page,
	apiKey,
	tether,
	baseURL
}) => {
	await page.context().grantPermissions(['notifications'], { origin: baseURL });
	await signIn(page, apiKey);
	await createProject(page, 'Notices');
	await newSession(page);
	await send(page, 'Plan a trip 🗺️ رحلة');
	await expect(answers(page).last()).toHaveAttribute('aria-busy', 'false');
	expect(await shownNotifications(page)).toEqual([]);

	const pieces = Array.from({ length: 30 }, (_, i) => `step${i} `);
	tether.fake.script({
		blocks: [{ type: 'text', text: pieces.join(''), deltas: pieces }],
		delayMs: 100
	});
	await send(page, 'And the way back?');
	await expect(answers(page).last()).toContainText('step1');
	await hide(page);
	await expect
		.poll(() => shownNotifications(page), { timeout: 15_000 })
		.toEqual([
			{
				title: 'Claude answered in Plan a trip 🗺️ رحلة',
				body: expect.stringMatching(/^step0 step1 step2/),
				tag: expect.stringMatching(/^answer-/),
				url: new URL(page.url()).pathname
			}
		]);
});

test('[NT5] a Web Push reaching the service worker shows its notice unless a window of Tether is in front', async ({
	page,
	apiKey,
	baseURL
}) => {
	await signIn(page, apiKey);
	await page.context().grantPermissions(['notifications'], { origin: baseURL });
	await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
	const cdp = await page.context().newCDPSession(page);
	const origin = new URL(baseURL!).origin;
	const id = await registrationId(cdp, origin);
	const push = (tag: string) =>
		cdp.send('ServiceWorker.deliverPushMessage', {
			origin,
			registrationId: id,
			data: JSON.stringify({
				title: `Claude answered in ${tag}`,
				body: 'Done ✅',
				tag,
				url: '/p/x/s/y'
			})
		});

	// The person is looking at Tether: the answer is on screen, no notification.
	await push('in-front');
	// Now no window of Tether is open: the notice shows.
	await page.goto('about:blank');
	await push('away');
	await page.goto('/');
	await expect
		.poll(() => shownNotifications(page), { timeout: 10_000 })
		.toEqual([{ title: 'Claude answered in away', body: 'Done ✅', tag: 'away', url: '/p/x/s/y' }]);
});
