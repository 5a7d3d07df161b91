import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { testKey } from '../server/harness.js';
import { createProject, expect, signIn, syncStatus, test } from './fixtures.js';

async function signOut(
	page: Page,
	choice: 'Sign out, keep data' | 'Sign out and wipe this device'
) {
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('dialog').getByRole('button', { name: choice }).click();
	await expect(page.getByRole('textbox', { name: 'Anthropic API key' })).toBeVisible();
}

test.describe('account on this device', () => {
	test('a key used here before signs in offline; sync resumes when the network returns', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Kept locally');
		await expect(syncStatus(page)).toHaveText('Synced');
		await signOut(page, 'Sign out, keep data');

		await page.context().setOffline(true);
		await page.getByRole('textbox', { name: 'Anthropic API key' }).fill(apiKey);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('link', { name: 'Kept locally' })).toBeVisible();
		await expect(syncStatus(page)).toHaveText('Offline');
		await createProject(page, 'Made offline');

		await page.context().setOffline(false);
		await expect(syncStatus(page)).toHaveText('Synced', { timeout: 15_000 });
	});

	test('a reload reuses the sync token instead of asking the API to check the key again', async ({
		page,
		apiKey,
		tether
	}) => {
		await signIn(page, apiKey);
		await expect(syncStatus(page)).toHaveText('Synced');
		const checks = () => tether.fake.requestsTo('/v1/models').length;
		const before = checks();
		await page.reload();
		await expect(syncStatus(page)).toHaveText('Synced');
		expect(checks()).toBe(before);
	});

	test('a new key cannot sign in offline, and says why', async ({ page }) => {
		await page.goto('/');
		// The page loads online (opening the app offline needs the service worker of the PWA work).
		const field = page.getByRole('textbox', { name: 'Anthropic API key' });
		await expect(field).toBeVisible();
		await page.context().setOffline(true);
		await field.fill(testKey('never-seen'));
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('alert')).toContainText('checked online the first time');
	});

	test('signing out and wiping removes this device’s copy; the server still has it', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Survives the wipe');
		await expect(syncStatus(page)).toHaveText('Synced');
		await signOut(page, 'Sign out and wipe this device');
		const databases = await page.evaluate(async () =>
			(await indexedDB.databases()).map((d) => d.name ?? '')
		);
		expect(databases.filter((name) => name.startsWith('tether-account-'))).toEqual([]);

		await signIn(page, apiKey);
		await expect(page.getByRole('link', { name: 'Survives the wipe' })).toBeVisible();
	});

	test('[S1] a canary key appears nowhere in the server’s data or output', async ({
		page,
		tether
	}) => {
		const canary = `sk-ant-test-CANARY-${Date.now().toString(36)}`;
		await signIn(page, canary);
		await createProject(page, 'Canary project');
		await expect(syncStatus(page)).toHaveText('Synced');
		const files = fs.readdirSync(tether.dataDir, { recursive: true }) as string[];
		for (const file of files) {
			const full = path.join(tether.dataDir, file);
			if (!fs.statSync(full).isFile()) continue;
			expect(fs.readFileSync(full).includes(canary), `${file} holds the key`).toBe(false);
		}
		expect(tether.output()).not.toContain(canary);
		expect(tether.output()).not.toContain('CANARY');
	});
});

test('[LS8] when the browser clears the storage, the server’s data comes back and lost changes are reported', async ({
	context,
	apiKey
}) => {
	const page = await context.newPage();
	await signIn(page, apiKey);
	await createProject(page, 'On the server');
	await expect(syncStatus(page)).toHaveText('Synced');

	// Sync sockets fail from now on: the next project stays on this device only.
	let cut = true;
	await context.routeWebSocket(/\/sync\//, (ws) => {
		if (cut) void ws.close({ code: 1011, reason: 'cut by test' });
		else ws.connectToServer();
	});
	await page.reload();
	await createProject(page, 'Only on this device');
	await expect(syncStatus(page)).not.toHaveText('Synced');
	await page.close();

	// The browser wipes the account's database (eviction, or a person clearing site data).
	const wiper = await context.newPage();
	await wiper.goto('/api/health');
	await wiper.evaluate(async () => {
		for (const { name } of await indexedDB.databases()) {
			if (!name?.startsWith('tether-account-')) continue;
			await new Promise((resolve, reject) => {
				const request = indexedDB.deleteDatabase(name);
				request.onsuccess = resolve;
				request.onerror = () => reject(request.error);
			});
		}
	});
	cut = false;
	await wiper.goto('/');
	await expect(wiper.getByRole('alert')).toContainText('changes made on this device');
	await expect(wiper.getByRole('link', { name: 'On the server' })).toBeVisible();
	await expect(wiper.getByRole('link', { name: 'Only on this device' })).toHaveCount(0);
});
