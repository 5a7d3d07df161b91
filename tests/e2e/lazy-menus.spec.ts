import type { Page } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/** Scripts the page fetches from now on (from the network or the service worker's cache). */
function scriptsFetched(page: Page): string[] {
	const fetched: string[] = [];
	page.on('request', (request) => {
		if (request.resourceType() === 'script' || request.url().endsWith('.js')) {
			fetched.push(request.url());
		}
	});
	return fetched;
}

test.describe('[PW11] menus and dialogs load when first opened', () => {
	test('[PW11] the first click, Enter, ArrowDown or right click opens a menu whose code was not loaded yet', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Lazy');
		await newSession(page);
		await send(page, 'Menus come later');
		const sessions = page.getByRole('region', { name: 'Sessions' });
		const projects = page.getByRole('navigation', { name: 'Projects' });
		const link = sessions.getByRole('link', { name: 'Menus come later' });
		const sessionOptions = sessions.getByRole('button', { name: 'Session options' });
		const projectOptions = projects.getByRole('button', { name: 'Project options' });
		const fresh = async () => {
			await page.reload();
			await expect(link).toBeVisible();
			await expect(page.getByRole('log', { name: 'Conversation' })).toContainText('Echo:');
		};

		// One click: the menu's code is fetched then, and the menu opens.
		await fresh();
		const fetched = scriptsFetched(page);
		await sessionOptions.click();
		await expect(page.getByRole('menuitem', { name: 'Rename' })).toBeVisible();
		expect(fetched.length).toBeGreaterThan(0);
		await page.keyboard.press('Escape');
		await expect(page.getByRole('menu')).toHaveCount(0);
		await expect(sessionOptions).toBeFocused();

		// Enter on the button opens it with the first item focused, as the loaded menu does.
		await fresh();
		await projectOptions.focus();
		await page.keyboard.press('Enter');
		await expect(page.getByRole('menuitem', { name: 'Rename' })).toBeFocused();
		await page.keyboard.press('ArrowDown');
		await expect(page.getByRole('menuitem', { name: 'Export project' })).toBeFocused();
		await page.keyboard.press('Escape');
		await expect(projectOptions).toBeFocused();

		// ArrowDown too.
		await fresh();
		await sessionOptions.focus();
		await page.keyboard.press('ArrowDown');
		await expect(page.getByRole('menuitem', { name: 'Rename' })).toBeFocused();
		await page.keyboard.press('Escape');

		// A right click on the link opens the session's context menu, and its dialog follows.
		await fresh();
		const url = page.url();
		await link.click({ button: 'right' });
		const menu = page.getByRole('menu', { name: 'Session options' });
		await menu.getByRole('menuitem', { name: 'Rename' }).click();
		const rename = page.getByRole('dialog', { name: 'Rename session' });
		await expect(rename.getByRole('textbox', { name: 'Name' })).toBeFocused();
		await rename.getByRole('textbox', { name: 'Name' }).fill('Renamed at first use');
		await rename.getByRole('button', { name: 'Save' }).click();
		await expect(sessions.getByRole('link', { name: 'Renamed at first use' })).toBeVisible();
		expect(page.url()).toBe(url);
	});
});
