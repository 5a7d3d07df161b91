import {
	createProject,
	expect,
	newSession,
	pasteIntoComposer,
	signIn,
	syncStatus,
	testWithServer
} from './fixtures.js';

// A server whose accounts may store 1 MiB in all ([HD5]), so a 1.2 MB paste goes over the quota
// while staying under the 8 MB frame limit.
const test = testWithServer({ TETHER_MAX_ACCOUNT_MB: '1' });

test('[HD5] a change over the account quota is kept on this device, and the person is told', async ({
	page,
	apiKey
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Quota');
	await newSession(page);
	await expect(syncStatus(page)).toHaveText('Synced');

	await pasteIntoComposer(page, 'q'.repeat(1_200_000));
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.getByRole('alert').filter({ hasText: 'out of room' })).toBeVisible({
		timeout: 20_000
	});
	await expect(syncStatus(page)).not.toHaveText('Synced');
	const article = page.getByRole('log', { name: 'Conversation' }).getByRole('article');
	await expect(article).toHaveCount(1, { timeout: 20_000 });
	await page.reload();
	await expect(article).toHaveCount(1, { timeout: 20_000 });
});
