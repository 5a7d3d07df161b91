import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, syncStatus, test } from './fixtures.js';

/** Serious and critical axe-core violations on what the page shows now, one line each. */
async function seriousViolations(page: Page, screen: string): Promise<string[]> {
	const results = await new AxeBuilder({ page }).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map(
			(v) =>
				`${screen}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
		);
}

for (const colorScheme of ['light', 'dark'] as const) {
	test.describe(`[PW8] axe-core, ${colorScheme}`, () => {
		test.use({ colorScheme });

		test(`[PW8] no serious or critical violations on any screen (${colorScheme})`, async ({
			page,
			apiKey
		}) => {
			// Eleven full axe-core runs.
			test.setTimeout(180_000);
			const found: string[] = [];
			const check = async (screen: string) =>
				found.push(...(await seriousViolations(page, screen)));

			await page.goto('/');
			await expect(page.getByRole('textbox', { name: 'Anthropic API key' })).toBeVisible();
			await check('sign-in');
			await page.getByRole('button', { name: 'Sign in' }).click();
			await expect(page.getByRole('alert')).toBeVisible();
			await check('sign-in with an error');
			await page.context().setOffline(true);
			await expect(page.getByRole('status')).toContainText('needs the network');
			await check('sign-in offline');
			await page.context().setOffline(false);

			await signIn(page, apiKey);
			await expect(page.getByRole('heading', { name: 'Welcome to Tether' })).toBeVisible();
			await check('empty project list');

			await page.getByRole('button', { name: 'New project' }).click();
			await expect(page.getByRole('dialog', { name: 'New project' })).toBeVisible();
			await check('new project dialog');
			await page.keyboard.press('Escape');

			await createProject(page, 'Accessible project');
			await expect(page.getByRole('textbox', { name: 'Project information' })).toBeVisible();
			await check('project page');

			await newSession(page);
			await send(page, 'A message to check');
			await send(page, 'Another message, with a longer line of text to wrap on small screens');
			await expect(syncStatus(page)).toHaveText('Synced');
			await check('session page with messages');

			await page.getByRole('button', { name: 'Project options' }).click();
			await page.getByRole('menuitem', { name: 'Usage' }).click();
			await expect(page.getByRole('table', { name: 'Tokens per day' })).toBeVisible();
			await check('usage dialog');
			await page.keyboard.press('Escape');

			const sessions = page.getByRole('region', { name: 'Sessions' });
			await sessions.getByRole('button', { name: 'Session options' }).first().click();
			await expect(page.getByRole('menu')).toBeVisible();
			await check('session options menu');
			await page.getByRole('menuitem', { name: 'Rename' }).click();
			await expect(page.getByRole('dialog', { name: 'Rename session' })).toBeVisible();
			await check('rename dialog');
			await page.keyboard.press('Escape');

			await sessions.getByRole('button', { name: 'Session options' }).first().click();
			await page.getByRole('menuitem', { name: 'Delete session' }).click();
			await expect(page.getByRole('dialog', { name: 'Delete session?' })).toBeVisible();
			await check('delete confirm dialog');
			await page.keyboard.press('Escape');

			await page.getByRole('button', { name: 'Sign out' }).click();
			await expect(page.getByRole('dialog', { name: 'Sign out?' })).toBeVisible();
			await check('sign out dialog');
			await page.keyboard.press('Escape');

			await page.setViewportSize({ width: 390, height: 760 });
			await page.getByRole('button', { name: 'Open menu' }).click();
			await expect(page.getByRole('navigation', { name: 'Projects' })).toBeVisible();
			await check('phone drawer');

			expect(found).toEqual([]);
		});
	});
}

/** Undefined when the focused element shows a focus ring; else what has the focus, in words. */
function focusProblem(page: Page): Promise<string | undefined> {
	return page.evaluate(() => {
		const element = document.activeElement;
		// Past the last control the focus leaves the page for the browser's own UI, then wraps.
		if (!element || element === document.body) return undefined;
		const style = getComputedStyle(element);
		const shows =
			element.matches(':focus-visible') &&
			style.outlineStyle !== 'none' &&
			parseFloat(style.outlineWidth) >= 2;
		return shows ? undefined : `no focus ring on ${element.outerHTML.slice(0, 120)}`;
	});
}

/** Presses Tab until `target` has the focus, checking at every stop that the focus shows. */
async function tabTo(page: Page, target: Locator, limit = 40): Promise<void> {
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press('Tab');
		expect(await focusProblem(page), `after ${i + 1} Tab presses`).toBeUndefined();
		if (await target.evaluate((el) => el === document.activeElement)) return;
	}
	throw new Error(`${target.toString()} not reached with ${limit} Tab presses`);
}

test('[PW8] the main flow works by keyboard alone, with the focus always visible', async ({
	page,
	apiKey
}) => {
	await page.goto('/');
	const key = page.getByRole('textbox', { name: 'Anthropic API key' });
	await expect(key).toBeVisible();
	await tabTo(page, key);
	await page.keyboard.type(apiKey);
	await page.keyboard.press('Enter');
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

	await tabTo(page, page.getByRole('button', { name: 'New project' }));
	await page.keyboard.press('Enter');
	const create = page.getByRole('dialog', { name: 'New project' });
	await expect(create.getByRole('textbox', { name: 'Name' })).toBeFocused();
	await page.keyboard.type('Keyboard project');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { level: 1, name: 'Keyboard project' })).toBeVisible();

	const sessions = page.getByRole('region', { name: 'Sessions' });
	await tabTo(page, sessions.getByRole('button', { name: 'New session' }));
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/s\//);
	await tabTo(page, page.getByRole('textbox', { name: 'Message' }));
	await page.keyboard.type('Typed without a mouse');
	await page.keyboard.press('Enter');
	const conversation = page.getByRole('log', { name: 'Conversation' });
	await expect(conversation.getByRole('article', { name: 'You' })).toContainText([
		'Typed without a mouse'
	]);

	// Rename through Session options.
	await tabTo(page, sessions.getByRole('button', { name: 'Session options' }));
	await page.keyboard.press('Enter');
	await expect(page.getByRole('menuitem', { name: 'Rename' })).toBeFocused();
	expect(await focusProblem(page)).toBeUndefined();
	await page.keyboard.press('Enter');
	const rename = page.getByRole('dialog', { name: 'Rename session' });
	await expect(rename.getByRole('textbox', { name: 'Name' })).toBeFocused();
	await page.keyboard.press('ControlOrMeta+A');
	await page.keyboard.type('Renamed by keyboard');
	await page.keyboard.press('Enter');
	await expect(sessions.getByRole('link', { name: 'Renamed by keyboard' })).toBeVisible();

	// Delete, confirming in the dialog.
	await tabTo(page, sessions.getByRole('button', { name: 'Session options' }));
	await page.keyboard.press('Enter');
	await expect(page.getByRole('menuitem', { name: 'Rename' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(page.getByRole('menuitem', { name: 'Fork' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(page.getByRole('menuitem', { name: 'Compact' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(page.getByRole('menuitem', { name: 'Export' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(page.getByRole('menuitem', { name: 'Delete session' })).toBeFocused();
	await page.keyboard.press('Enter');
	const confirm = page.getByRole('dialog', { name: 'Delete session?' });
	await expect(confirm).toBeVisible();
	await tabTo(page, confirm.getByRole('button', { name: 'Delete' }), 5);
	await page.keyboard.press('Enter');
	await expect(sessions.getByRole('link')).toHaveCount(0);
	await expect(page.getByRole('heading', { level: 1, name: 'Keyboard project' })).toBeVisible();
});
