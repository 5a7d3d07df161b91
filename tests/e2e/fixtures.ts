import {
	test as base,
	expect,
	type Browser,
	type BrowserContext,
	type Page
} from '@playwright/test';
import { cutText } from '../../src/lib/core/text.js';
import { startTether, testKey, type TetherServer } from '../server/harness.js';

/**
 * Every test gets the real server process (the built app and the compiled server, one per
 * worker, against the fake Anthropic upstream) and a fresh account of its own: accounts never
 * share data, so tests in one worker do not see each other.
 */
/** Browser contexts opened by device() during the running test; closed when it ends. */
const openDevices = new Set<BrowserContext>();

export const test = base.extend<{ apiKey: string; closeDevices: void }, { tether: TetherServer }>({
	tether: [
		// eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring pattern
		async ({}, use) => {
			// A stalled answer is given up after 3 s instead of 60, so the stall test stays short.
			const server = await startTether({
				entry: 'build',
				env: { TETHER_RUN_IDLE_SECONDS: '3' }
			});
			await use(server);
			await server.close();
		},
		{ scope: 'worker' }
	],
	baseURL: async ({ tether }, use) => use(tether.url),
	// eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring pattern
	apiKey: async ({}, use) => use(testKey('e2e')),
	// A device left open keeps syncing and rendering for the rest of the worker's tests: on two
	// cores a few dozen of them starve the tests that follow. Every test closes its own.
	closeDevices: [
		// eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring pattern
		async ({}, use) => {
			await use();
			const contexts = [...openDevices];
			openDevices.clear();
			await Promise.all(contexts.map((context) => context.close()));
		},
		{ auto: true }
	]
});

export { expect };

/**
 * The same fixtures with a server of their own, started with `env` (small quotas, say): one per
 * worker, for the tests of one file.
 */
export function testWithServer(env: Record<string, string>) {
	return test.extend<object, { tether: TetherServer }>({
		tether: [
			// eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring pattern
			async ({}, use) => {
				const server = await startTether({ entry: 'build', env });
				await use(server);
				await server.close();
			},
			{ scope: 'worker' }
		]
	});
}

/** The sync status element ("Saving…", "Offline", "Saved on this device", "Synced", …). */
export const syncStatus = (page: Page) =>
	page.getByRole('status').filter({ hasText: /Saving…|Offline|Saved on|saved on|Synced/ });

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, apiKey: string): Promise<void> {
	await page.goto('/');
	await page.getByRole('textbox', { name: 'Anthropic API key' }).fill(apiKey);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

export async function createProject(page: Page, name: string): Promise<void> {
	await page.getByRole('button', { name: 'New project' }).click();
	const dialog = page.getByRole('dialog', { name: 'New project' });
	await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
	await dialog.getByRole('button', { name: 'Create' }).click();
	await expect(dialog).toBeHidden();
	// The new project opens (on a phone the drawer closes on the way).
	await expect(page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
}

/** Opens a project from the sidebar and waits until its page shows. */
export async function openProject(page: Page, name: string): Promise<void> {
	await page
		.getByRole('navigation', { name: 'Projects' })
		.getByRole('link', { name, exact: true })
		.click();
	await expect(page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
}

export async function newSession(page: Page): Promise<void> {
	const before = page.url();
	await page
		.getByRole('region', { name: 'Sessions' })
		.getByRole('button', { name: 'New session' })
		.click();
	await expect(page).not.toHaveURL(before);
	await expect(page).toHaveURL(/\/s\//);
}

export async function send(page: Page, text: string): Promise<void> {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
	// The person's message; Claude's answer follows it (the fake upstream echoes).
	await expect(
		page.getByRole('log', { name: 'Conversation' }).getByRole('article', { name: 'You' }).last()
	).toContainText(cutText(text, 50));
}

/** Another device: its own browser context (own IndexedDB), signed in with the same key. */
export async function device(browser: Browser, apiKey: string): Promise<Page> {
	const context = await browser.newContext();
	openDevices.add(context);
	const page = await context.newPage();
	await signIn(page, apiKey);
	return page;
}

/** Opens a session of a project from the sidebar and waits for its conversation. */
export async function openSession(page: Page, project: string, title: string): Promise<void> {
	await openProject(page, project);
	await page.getByRole('region', { name: 'Sessions' }).getByRole('link', { name: title }).click();
	await expect(page.getByRole('log', { name: 'Conversation' })).toBeVisible();
}

/** Puts `text` in the composer at once, as a paste does (typing a megabyte would take minutes). */
export async function pasteIntoComposer(page: Page, text: string): Promise<void> {
	await page.getByRole('textbox', { name: 'Message' }).evaluate((el, value) => {
		const area = el as HTMLTextAreaElement;
		area.value = value;
		area.dispatchEvent(new Event('input', { bubbles: true }));
	}, text);
}

/** Claude's answers in the open session's conversation. */
export const answers = (page: Page) =>
	page.getByRole('log', { name: 'Conversation' }).getByRole('article', { name: 'Claude' });

/** Sends a message with Enter and waits until it shows as the person's latest. */
export async function ask(page: Page, text: string): Promise<void> {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
	await expect(
		page.getByRole('log', { name: 'Conversation' }).getByRole('article', { name: 'You' }).last()
	).toContainText(text);
}
