import type { Browser, Page } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/** A second device: its own browser context (own IndexedDB), same account. */
async function device(browser: Browser, apiKey: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, apiKey);
	return page;
}

const status = (page: Page) => page.getByRole('status').filter({ hasText: /Offline|Saved|Synced/ });

test.describe('sync across devices', () => {
	test('a project, sessions and messages made on A appear on B, and edits go both ways', async ({
		browser,
		apiKey
	}) => {
		const a = await device(browser, apiKey);
		const b = await device(browser, apiKey);
		await expect(status(a)).toHaveText('Synced');

		await createProject(a, 'Shared project');
		await newSession(a);
		await send(a, 'hello from A');
		await expect(status(a)).toHaveText('Synced');

		const projectsB = b.getByRole('navigation', { name: 'Projects' });
		await expect(projectsB.getByRole('link', { name: 'Shared project' })).toBeVisible({
			timeout: 5000
		});
		await projectsB.getByRole('link', { name: 'Shared project' }).click();
		const sessionsB = b.getByRole('region', { name: 'Sessions' });
		await expect(sessionsB.getByRole('link', { name: 'hello from A' })).toBeVisible({
			timeout: 5000
		});
		await sessionsB.getByRole('link', { name: 'hello from A' }).click();
		await expect(b.getByRole('log', { name: 'Conversation' })).toContainText('hello from A');

		await send(b, 'reply from B');
		await expect(a.getByRole('log', { name: 'Conversation' })).toContainText('reply from B', {
			timeout: 5000
		});
		await b.getByRole('textbox', { name: 'Message' }).fill('draft typed on B');
		await expect(a.getByRole('textbox', { name: 'Message' })).toHaveValue('draft typed on B', {
			timeout: 5000
		});
	});

	test('another key sees none of it', async ({ browser, apiKey }) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Private project');
		await expect(status(a)).toHaveText('Synced');
		const other = await device(browser, `${apiKey}-other`);
		await expect(status(other)).toHaveText('Synced');
		await expect(other.getByRole('heading', { name: 'Welcome to Tether' })).toBeVisible();
		await expect(
			other.getByRole('navigation', { name: 'Projects' }).getByRole('link')
		).toHaveCount(0);
	});
});
