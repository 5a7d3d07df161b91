import { createProject, expect, newSession, signIn, syncStatus, test } from './fixtures.js';

test('a change too large to sync is kept on this device, and the person is told', async ({
	page,
	apiKey
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Big paste');
	await newSession(page);
	await expect(syncStatus(page)).toHaveText('Synced');

	// 9 MB: over the server's 8 MB frame limit.
	await page.getByRole('textbox', { name: 'Message' }).evaluate((el) => {
		const area = el as HTMLTextAreaElement;
		area.value = 'x'.repeat(9 * 1024 * 1024);
		area.dispatchEvent(new Event('input', { bubbles: true }));
	});
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.getByRole('alert').filter({ hasText: 'too large to sync' })).toBeVisible({
		timeout: 20_000
	});
	await expect(syncStatus(page)).not.toHaveText('Synced');
	// The conversation draws from the rows, which are committed with the update: once the
	// message shows, it is in IndexedDB.
	const article = page.getByRole('log', { name: 'Conversation' }).getByRole('article');
	await expect(article).toHaveCount(1, { timeout: 20_000 });

	// Nothing is lost here: the message is stored on this device and shown after a reload.
	await page.reload();
	await expect(article).toHaveCount(1, { timeout: 20_000 });
	await expect(article.getByRole('button', { name: /Show all \(9216 KB\)/ })).toBeVisible();
});
