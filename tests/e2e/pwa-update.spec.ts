import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { repoRoot, startTether, type TetherServer } from '../server/harness.js';
import { createProject, expect, newSession, send, signIn, syncStatus, test } from './fixtures.js';

/**
 * Two versions of the app: build 1 is the one `npm run build` made (build/app); build 2 is a
 * real second build of the same sources with another version, made here into a temp directory.
 * One server process serves build 1, then restarts on the same port and data with build 2.
 */
let build2: string;
let server: TetherServer;
const version2 = `update-test-${randomBytes(4).toString('hex')}`;

test.beforeAll(async () => {
	test.setTimeout(300_000);
	build2 = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-build2-'));
	execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build'], {
		cwd: repoRoot,
		env: { ...process.env, TETHER_APP_OUT: build2, TETHER_BUILD_ID: version2 },
		stdio: 'ignore'
	});
	server = await startTether({ entry: 'build' });
});

test.afterAll(async () => {
	await server?.close();
	if (build2) fs.rmSync(build2, { recursive: true, force: true });
});

const runningVersion = (page: Page) =>
	page.evaluate(() => document.documentElement.dataset.version ?? '');

test('[PW4] a new version is offered with Reload, never forced, and reloading loses nothing', async ({
	browser,
	apiKey
}) => {
	// This test's own server, whose app can be swapped.
	const context = await browser.newContext({ baseURL: server.url });
	const page = await context.newPage();
	const prompt = page.getByRole('status').filter({ hasText: 'Update available' });
	// Reloading while the first version installs is not an update.
	await page.goto('/');
	await page.reload();
	await signIn(page, apiKey);
	await createProject(page, 'Across versions');
	await newSession(page);
	await send(page, 'Sent on version 1');
	await page.evaluate(() => navigator.serviceWorker.ready);
	await expect
		.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
		.toBe(true);
	await expect(prompt).toHaveCount(0);
	const version1 = await runningVersion(page);
	expect(version1).not.toBe(version2);
	const message = page.getByRole('textbox', { name: 'Message' });
	await message.fill('A draft started on version 1');

	let loads = 0;
	page.on('load', () => loads++);
	// A page reload would drop this.
	await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

	// Version 2 is deployed; the app looks for it when its window gets the focus.
	await server.restart({ TETHER_APP_DIR: build2 });
	await expect(syncStatus(page)).toHaveText('Synced', { timeout: 20_000 });
	await page.evaluate(() => window.dispatchEvent(new Event('focus')));

	await expect(prompt).toBeVisible({ timeout: 20_000 });
	// The new version waits: the page still runs version 1, nothing reloaded, work goes on.
	expect(
		await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)
	).toBe(true);
	await message.pressSequentially(', finished while the update waited');
	expect(loads).toBe(0);
	expect(await runningVersion(page)).toBe(version1);
	expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(
		true
	);

	const reloaded = page.waitForEvent('load', { timeout: 20_000 });
	await prompt.getByRole('button', { name: 'Reload' }).click();
	await reloaded;
	await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
	expect(await runningVersion(page)).toBe(version2);
	expect(loads).toBe(1);
	await expect(page.getByRole('status').filter({ hasText: 'Update available' })).toHaveCount(0);
	await expect(page.getByRole('log', { name: 'Conversation' }).getByRole('article')).toContainText([
		'Sent on version 1'
	]);
	await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue(
		'A draft started on version 1, finished while the update waited'
	);
	await expect(syncStatus(page)).toHaveText('Synced');
	await context.close();
});
