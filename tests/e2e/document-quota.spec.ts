import {
	createProject,
	device,
	expect,
	newSession,
	openProject,
	openSession,
	pasteIntoComposer,
	send,
	signIn,
	syncStatus,
	testWithServer
} from './fixtures.js';

// A server whose documents may take 1 MiB each ([HD5]): a 1.2 MB paste makes one session too big
// for it, while the account has room for everything else.
const test = testWithServer({ TETHER_MAX_DOC_MB: '1' });

test('[HD5] a session over the size of one document is named, kept on this device, and the rest still syncs', async ({
	page,
	browser,
	apiKey
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Big');
	await newSession(page);
	await send(page, 'Huge paste 🐘 here');
	await expect(syncStatus(page)).toHaveText('Synced');
	const box = page.getByRole('textbox', { name: 'Message' });

	const big = 'e'.repeat(1_200_000);
	await pasteIntoComposer(page, big);
	await expect(
		page.getByRole('alert').filter({
			hasText:
				'The session “Huge paste 🐘 here” is larger than the server keeps for one session. It is kept on this device but no longer syncs'
		})
	).toBeVisible({ timeout: 20_000 });
	await expect(syncStatus(page)).not.toHaveText('Synced');

	// Other documents still sync: a session made now reaches a second device.
	await newSession(page);
	await send(page, 'Small one stays in sync');
	const second = await device(browser, apiKey);
	await openProject(second, 'Big');
	await expect(
		second
			.getByRole('region', { name: 'Sessions' })
			.getByRole('link', { name: 'Small one stays in sync' })
	).toBeVisible({ timeout: 20_000 });

	// The big draft is still on this device after a reload.
	await page.reload();
	await openSession(page, 'Big', 'Huge paste 🐘 here');
	await expect(box).toHaveValue(big, { timeout: 20_000 });
});
