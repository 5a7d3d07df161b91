import type { Page, Route } from '@playwright/test';
import { answers, ask, createProject, expect, newSession, signIn, test } from './fixtures.js';

/*
 * [PW20] A start draws the end of the session shown last before any of the app's modules run.
 * To see that, these tests hold every request for the app’s scripts (not its stylesheet, which the
 * picture needs) until they let them go; the service worker is blocked so that the requests reach
 * the network, where they are held.
 */
test.use({ serviceWorkers: 'block' });

// Markup in a message is text: the picture never parses it.
const words = 'the picture words 😀 שלום e\u0301 <b>as typed</b>';

/** Holds the app's module requests from now on; `release` lets them (and later ones) through. */
async function holdModules(page: Page) {
	const held: Route[] = [];
	let holding = true;
	await page.route(/\/_app\/immutable\/.*\.js$/, (route) => {
		if (holding) held.push(route);
		else void route.continue();
	});
	return {
		count: () => held.length,
		release: async () => {
			holding = false;
			await Promise.all(held.splice(0).map((route) => route.continue()));
		}
	};
}

const openSnapshot = (page: Page) =>
	page.evaluate(() => localStorage.getItem('tether.open-session') ?? '');
/** Set by the root layout once the app's modules ran. */
const appRan = (page: Page) => page.evaluate(() => document.documentElement.dataset.version);

async function sessionWithAnswer(page: Page, apiKey: string): Promise<void> {
	await signIn(page, apiKey);
	await createProject(page, 'Picture');
	await newSession(page);
	await ask(page, words);
	await expect(answers(page).last()).toBeVisible();
	await expect(answers(page).last()).not.toHaveAttribute('aria-busy', 'true');
	await expect.poll(() => openSnapshot(page)).toContain(words);
}

test('[PW20] a start shows the end of the last session before the app’s modules ran; the app takes over', async ({
	page,
	apiKey
}) => {
	await sessionWithAnswer(page, apiKey);
	const url = page.url();

	const modules = await holdModules(page);
	await page.goto(url, { waitUntil: 'domcontentloaded' });
	const picture = page.locator('#first-paint');
	await expect(picture.locator('article[aria-label="You"]').last()).toHaveText(`You${words}`);
	await expect(picture.locator('article[aria-label="Claude"]').last()).toBeVisible();
	await expect(picture.getByRole('heading', { name: words, includeHidden: true })).toBeVisible();
	await expect(picture.getByRole('link', { name: words, includeHidden: true })).toBeVisible();
	// Nothing of the app ran: the picture came from the shell's own script.
	expect(modules.count()).toBeGreaterThan(0);
	expect(await appRan(page)).toBeUndefined();
	// It is a picture: assistive technology does not see it, and it takes no focus or click.
	await expect(page.getByRole('log', { name: 'Conversation' })).toHaveCount(0);
	await expect(picture).toHaveAttribute('aria-hidden', 'true');

	await modules.release();
	const conversation = page.getByRole('log', { name: 'Conversation' });
	await expect(conversation.getByRole('article', { name: 'You' }).last()).toContainText(words);
	await expect(picture).toHaveCount(0);
	expect(await appRan(page)).toBeTruthy();
});

test('[PW20] a deleted session’s messages leave localStorage and are not drawn again', async ({
	page,
	apiKey
}) => {
	await sessionWithAnswer(page, apiKey);
	const url = page.url();

	const sessions = page.getByRole('region', { name: 'Sessions' });
	await sessions.getByRole('link', { name: words }).click({ button: 'right' });
	await page.getByRole('menuitem', { name: 'Delete session' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
	await expect(sessions.getByRole('link', { name: words })).toHaveCount(0);
	const everything = () => page.evaluate(() => JSON.stringify({ ...localStorage }));
	expect(await everything()).not.toContain('picture words');
	// Longer than the wait before the open session is kept: nothing writes it back.
	await page.waitForTimeout(1500);
	expect(await everything()).not.toContain('picture words');

	const modules = await holdModules(page);
	await page.goto(url, { waitUntil: 'domcontentloaded' });
	expect(modules.count()).toBeGreaterThan(0);
	await expect(page.getByText('picture words')).toHaveCount(0);
	await modules.release();
	await expect(page.getByRole('heading', { name: 'Session not found' })).toBeVisible();
	await expect(page.locator('#first-paint')).toHaveCount(0);
});
