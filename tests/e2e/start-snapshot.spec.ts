import type { Page } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/*
 * [PW18] A start paints the last project's session list from a snapshot in localStorage before
 * IndexedDB answers. To see that, these tests hold the account database's opening until they
 * let it go: an init script keeps `indexedDB.open` of `tether-account-*` pending.
 */

/** Init script: the account database opens only once `__openIndexedDb()` is called. */
function holdAccountDatabase(): void {
	const realOpen = IDBFactory.prototype.open;
	const waiting: (() => void)[] = [];
	const w = window as unknown as { __idbHeld: boolean; __openIndexedDb: () => void };
	w.__idbHeld = true;
	w.__openIndexedDb = () => {
		w.__idbHeld = false;
		for (const open of waiting.splice(0)) open();
	};
	IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
		if (!w.__idbHeld || !name.startsWith('tether-account-')) {
			return realOpen.call(this, name, version);
		}
		// A stand-in request: handlers set now are passed to the real one once it exists.
		const handlers: Record<string, unknown> = {};
		let real: IDBOpenDBRequest | undefined;
		const stand = {} as Record<string, unknown>;
		for (const type of ['success', 'error', 'upgradeneeded', 'blocked']) {
			Object.defineProperty(stand, `on${type}`, {
				get: () => handlers[type] ?? null,
				set: (handler: unknown) => {
					handlers[type] = handler;
					if (real) (real as unknown as Record<string, unknown>)[`on${type}`] = handler;
				}
			});
		}
		for (const prop of ['result', 'error', 'readyState', 'transaction', 'source']) {
			Object.defineProperty(stand, prop, {
				get: () =>
					real
						? (real as unknown as Record<string, unknown>)[prop]
						: prop === 'readyState'
							? 'pending'
							: null
			});
		}
		waiting.push(() => {
			real = version === undefined ? realOpen.call(this, name) : realOpen.call(this, name, version);
			for (const [type, handler] of Object.entries(handlers)) {
				(real as unknown as Record<string, unknown>)[`on${type}`] = handler;
			}
		});
		return stand as unknown as IDBOpenDBRequest;
	};
}

/** Signs in, makes a project "Snap" and one session per message, each titled by its message. */
async function projectWithSessions(page: Page, apiKey: string, messages: string[]): Promise<void> {
	await signIn(page, apiKey);
	await createProject(page, 'Snap');
	for (const message of messages) {
		await newSession(page);
		await send(page, message);
	}
	for (const message of messages) await expect.poll(() => snapshotText(page)).toContain(message);
}

const snapshotText = (page: Page) =>
	page.evaluate(() => localStorage.getItem('tether.session-snapshot') ?? '');
const stillHeld = (page: Page) =>
	page.evaluate(() => (window as unknown as { __idbHeld: boolean }).__idbHeld);
const openIndexedDb = (page: Page) =>
	page.evaluate(() => (window as unknown as { __openIndexedDb: () => void }).__openIndexedDb());

test.describe('[PW18] the session list snapshot', () => {
	test('[PW18] a start paints the last sessions before IndexedDB answers, and their links work', async ({
		page,
		apiKey
	}) => {
		await projectWithSessions(page, apiKey, ['first thread', 'second thread']);

		await page.addInitScript(holdAccountDatabase);
		await page.goto('/');
		const sessions = page.getByRole('region', { name: 'Sessions' });
		await expect(sessions.getByRole('link', { name: 'second thread' })).toBeVisible();
		await expect(sessions.getByRole('link', { name: 'first thread' })).toBeVisible();
		expect(await stillHeld(page)).toBe(true);

		// A link of the snapshot opens its session, which shows once IndexedDB answers.
		await sessions.getByRole('link', { name: 'first thread' }).click();
		await expect(page).toHaveURL(/\/s\//);
		expect(await stillHeld(page)).toBe(true);
		await openIndexedDb(page);
		await expect(
			page.getByRole('log', { name: 'Conversation' }).getByRole('article', { name: 'You' })
		).toContainText('first thread');
		await expect(sessions.getByRole('link', { name: 'first thread' })).toHaveAttribute(
			'aria-current',
			'page'
		);
	});

	test('[PW18] a deleted session’s title leaves localStorage and is not painted again; sign-out clears it', async ({
		page,
		apiKey
	}) => {
		await projectWithSessions(page, apiKey, ['keep me', 'secret title']);

		const sessions = page.getByRole('region', { name: 'Sessions' });
		await sessions.getByRole('link', { name: 'secret title' }).click({ button: 'right' });
		await page.getByRole('menuitem', { name: 'Delete session' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
		await expect(sessions.getByRole('link', { name: 'secret title' })).toHaveCount(0);
		expect(await snapshotText(page)).not.toContain('secret title');
		expect(await snapshotText(page)).toContain('keep me');

		// A start with IndexedDB held paints the snapshot alone: the deleted title is not in it.
		await page.addInitScript(holdAccountDatabase);
		await page.goto('/');
		await expect(sessions.getByRole('link', { name: 'keep me' })).toBeVisible();
		expect(await stillHeld(page)).toBe(true);
		await expect(sessions.getByRole('link', { name: 'secret title' })).toHaveCount(0);
		await openIndexedDb(page);
		await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Sign out, keep data' }).click();
		await expect(page.getByRole('textbox', { name: 'Anthropic API key' })).toBeVisible();
		const everything = await page.evaluate(() => JSON.stringify({ ...localStorage }));
		expect(everything).not.toContain('keep me');
		expect(await snapshotText(page)).toBe('');
	});
});
