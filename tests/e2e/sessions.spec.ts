import type { Page } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/**
 * Holds every store of the account's IndexedDB in one read-write transaction for `ms`, so no
 * write of the app can commit meanwhile; `window.indexedDbHeld` says whether it still holds.
 */
async function holdIndexedDb(page: Page, ms: number): Promise<void> {
	await page.evaluate(async (ms) => {
		const w = window as unknown as { indexedDbHeld?: boolean };
		const name = (await indexedDB.databases())
			.map((d) => d.name ?? '')
			.find((n) => n.startsWith('tether-account-'));
		if (!name) throw new Error('no account database');
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const opening = indexedDB.open(name);
			opening.onsuccess = () => resolve(opening.result);
			opening.onerror = () => reject(opening.error);
		});
		const stores = [...db.objectStoreNames];
		const first = stores[0];
		if (!first) throw new Error('the account database has no stores');
		const held = db.transaction(stores, 'readwrite');
		const end = Date.now() + ms;
		const keepAlive = () => {
			if (Date.now() < end) held.objectStore(first).count().onsuccess = keepAlive;
		};
		keepAlive();
		w.indexedDbHeld = true;
		held.oncomplete = () => {
			w.indexedDbHeld = false;
			db.close();
		};
	}, ms);
}
const indexedDbHeld = (page: Page) =>
	page.evaluate(() => (window as unknown as { indexedDbHeld?: boolean }).indexedDbHeld);

test.describe('sessions', () => {
	test('creates two sessions, keeps drafts across switching and reload, renames', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Work');
		const sessions = page.getByRole('region', { name: 'Sessions' });
		const message = page.getByRole('textbox', { name: 'Message' });

		await newSession(page);
		const first = page.url();
		await send(page, 'Plan the release\nwith details');
		await expect(sessions.getByRole('link', { name: 'Plan the release' })).toBeVisible();

		await newSession(page);
		const second = page.url();
		await expect(sessions.getByRole('link')).toHaveCount(2);
		await message.fill('half a thought');
		await message.press('Shift+Enter');
		await message.pressSequentially('second line');
		await expect(message).toHaveValue('half a thought\nsecond line');

		// Switch away and back: the draft is there and the other history loads.
		await sessions.getByRole('link', { name: 'Plan the release' }).click();
		await expect(page).toHaveURL(first);
		await expect(page.getByRole('log', { name: 'Conversation' })).toContainText('Plan the release');
		await expect(message).toHaveValue('');
		await page.goBack();
		await expect(page).toHaveURL(second);
		await expect(message).toHaveValue('half a thought\nsecond line');

		await page.reload();
		await expect(message).toHaveValue('half a thought\nsecond line');

		// Most recent activity first.
		await send(page, 'Now this one is newer');
		await expect(sessions.getByRole('link').first()).toHaveText('Now this one is newer');

		await sessions
			.getByRole('listitem')
			.filter({ hasText: 'Plan the release' })
			.getByRole('button', { name: 'Session options' })
			.click();
		await page.getByRole('menuitem', { name: 'Rename' }).click();
		const dialog = page.getByRole('dialog', { name: 'Rename session' });
		await dialog.getByRole('textbox', { name: 'Name' }).fill('');
		await dialog.getByRole('button', { name: 'Save' }).click();
		await expect(dialog.getByRole('alert')).toHaveText('Session name cannot be empty.');
		await dialog.getByRole('textbox', { name: 'Name' }).fill('Release plan');
		await dialog.getByRole('button', { name: 'Save' }).click();
		await expect(sessions.getByRole('link', { name: 'Release plan' })).toBeVisible();
		await page.reload();
		await expect(sessions.getByRole('link', { name: 'Release plan' })).toBeVisible();
	});

	test('[LS11] New session shows its focused composer in the same frame; typing at once lands there', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Quick');
		await newSession(page);
		const first = page.url();
		const message = page.getByRole('textbox', { name: 'Message' });
		await message.fill('the old draft');

		// Before the next frame is drawn after the click, the new session's empty composer has focus.
		await page.evaluate(() => {
			const w = window as unknown as { frameAfterClick?: Promise<string> };
			addEventListener(
				'click',
				() => {
					w.frameAfterClick = new Promise((resolve) =>
						requestAnimationFrame(() => {
							const focused = document.activeElement as HTMLTextAreaElement | null;
							resolve(
								`${focused?.getAttribute('aria-label')}|${focused?.value}|${location.pathname}`
							);
						})
					);
				},
				{ capture: true, once: true }
			);
		});
		await page
			.getByRole('region', { name: 'Sessions' })
			.getByRole('button', { name: 'New session' })
			.click();
		await page.keyboard.type('typed at once ✍️');
		const frame = await page.evaluate(
			() => (window as unknown as { frameAfterClick: Promise<string> }).frameAfterClick
		);
		const [label, value, path] = frame.split('|');
		expect(label).toBe('Message');
		expect(value).toBe('');
		expect(path).toMatch(/\/s\//);
		expect(page.url()).not.toBe(first);
		expect(new URL(page.url()).pathname).toBe(path);

		await expect(message).toHaveValue('typed at once ✍️');
		await page.goto(first);
		await expect(message).toHaveValue('the old draft');
		await page.goBack();
		await expect(message).toHaveValue('typed at once ✍️');
	});

	test('[LS15] Rename closes before the name is stored; what is typed right after lands in the composer', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Quick');
		const sessions = page.getByRole('region', { name: 'Sessions' });
		const projects = page.getByRole('navigation', { name: 'Projects' });
		const message = page.getByRole('textbox', { name: 'Message' });
		await newSession(page);
		await send(page, 'Name me later');

		await sessions.getByRole('link', { name: 'Name me later' }).click({ button: 'right' });
		await page.getByRole('menuitem', { name: 'Rename' }).click();
		const dialog = page.getByRole('dialog', { name: 'Rename session' });
		await dialog.getByRole('textbox', { name: 'Name' }).fill('Plan ✨ תוכנית');
		// No write can commit for a while: the dialog must not wait for one.
		await holdIndexedDb(page, 4000);
		await dialog.getByRole('button', { name: 'Save' }).click();
		await message.fill('typed right after ✍️');
		await expect(dialog).toBeHidden();
		expect(await indexedDbHeld(page)).toBe(true);
		await expect(message).toHaveValue('typed right after ✍️');
		await expect(sessions.getByRole('link', { name: 'Plan ✨ תוכנית' })).toBeVisible();
		await expect(sessions.getByRole('link', { name: 'Name me later' })).toHaveCount(0);

		// A project's rename too; a bad name still keeps its dialog open with the reason.
		await projects.getByRole('button', { name: 'Project options' }).click();
		await page.getByRole('menuitem', { name: 'Rename' }).click();
		const renameProject = page.getByRole('dialog', { name: 'Rename project' });
		await renameProject.getByRole('textbox', { name: 'Name' }).fill(' ');
		await renameProject.getByRole('button', { name: 'Save' }).click();
		await expect(renameProject.getByRole('alert')).toHaveText('Project name cannot be empty.');
		await renameProject.getByRole('textbox', { name: 'Name' }).fill('Quicker');
		await holdIndexedDb(page, 4000);
		await renameProject.getByRole('button', { name: 'Save' }).click();
		await expect(renameProject).toBeHidden();
		expect(await indexedDbHeld(page)).toBe(true);
		await expect(projects.getByRole('link', { name: 'Quicker' })).toBeVisible();

		await page.reload();
		await expect(sessions.getByRole('link', { name: 'Plan ✨ תוכנית' })).toBeVisible();
		await expect(projects.getByRole('link', { name: 'Quicker' })).toBeVisible();
		await expect(message).toHaveValue('typed right after ✍️');
	});

	test('deletes a session by right-click after confirming; Cancel keeps it', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Work');
		const sessions = page.getByRole('region', { name: 'Sessions' });
		await newSession(page);
		await send(page, 'keep me');
		await newSession(page);
		await send(page, 'delete me');

		await sessions.getByRole('link', { name: 'delete me' }).click({ button: 'right' });
		await page.getByRole('menuitem', { name: 'Delete session' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
		await expect(page.getByRole('dialog')).toHaveCount(0);
		await expect(sessions.getByRole('link', { name: 'delete me' })).toBeVisible();

		const deletedUrl = page.url();
		await sessions.getByRole('link', { name: 'delete me' }).click({ button: 'right' });
		await page.getByRole('menuitem', { name: 'Delete session' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
		await expect(sessions.getByRole('link', { name: 'delete me' })).toHaveCount(0);
		await expect(sessions.getByRole('link', { name: 'keep me' })).toBeVisible();
		await page.reload();
		await expect(sessions.getByRole('link', { name: 'keep me' })).toBeVisible();
		await expect(sessions.getByRole('link', { name: 'delete me' })).toHaveCount(0);
		await page.goto(deletedUrl);
		await expect(page.getByRole('heading', { name: 'Session not found' })).toBeVisible();
	});

	test('stores and shows a 1 MB message, collapsed until expanded', async ({
		page,
		apiKey,
		tether
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Big');
		await newSession(page);
		const big = 'The quick brown fox. '.repeat(50_000);
		// A short answer, so the message stays on screen (the list draws only what is visible).
		tether.fake.script({ blocks: [{ type: 'text', text: 'Noted.' }] });
		const box = page.getByRole('textbox', { name: 'Message' });
		await box.evaluate((el, value) => {
			const area = el as HTMLTextAreaElement;
			area.value = value;
			area.dispatchEvent(new Event('input', { bubbles: true }));
		}, big);
		await page.getByRole('button', { name: 'Send' }).click();
		const article = page
			.getByRole('log', { name: 'Conversation' })
			.getByRole('article', { name: 'You' });
		await expect(article).toHaveCount(1);
		const expand = article.getByRole('button', { name: /Show all/ });
		await expect(expand).toBeVisible();
		await page.reload();
		await expand.click();
		await expect(article.getByRole('button', { name: 'Show less' })).toBeVisible();
		const shown = await article.evaluate((el) => el.textContent?.length ?? 0);
		expect(shown).toBeGreaterThanOrEqual(big.length);
	});

	test('two tabs see each other’s changes without reload', async ({ context, apiKey }) => {
		const a = await context.newPage();
		await signIn(a, apiKey);
		await createProject(a, 'Shared');
		await newSession(a);
		const b = await context.newPage();
		await b.goto(a.url());
		await expect(b.getByRole('textbox', { name: 'Message' })).toBeVisible();

		await a.getByRole('textbox', { name: 'Message' }).fill('typed in tab A');
		await expect(b.getByRole('textbox', { name: 'Message' })).toHaveValue('typed in tab A');
		await a.getByRole('textbox', { name: 'Message' }).press('Enter');
		await expect(b.getByRole('log', { name: 'Conversation' })).toContainText('typed in tab A');
		await expect(
			b.getByRole('region', { name: 'Sessions' }).getByRole('link', { name: 'typed in tab A' })
		).toBeVisible();

		await createProject(b, 'From tab B');
		await expect(
			a.getByRole('navigation', { name: 'Projects' }).getByRole('link', { name: 'From tab B' })
		).toBeVisible();
	});
});

test.describe('phone-sized screen', () => {
	test.use({ viewport: { width: 390, height: 760 }, hasTouch: true });

	test('the sidebar is a drawer and nothing scrolls sideways', async ({ page, apiKey }) => {
		await signIn(page, apiKey);
		const projects = page.getByRole('navigation', { name: 'Projects' });
		// Signed in with no project: the drawer is closed; open it to create one.
		await expect(projects).toBeHidden();
		await page.getByRole('button', { name: 'Open menu' }).click();
		await expect(projects).toBeVisible();
		await createProject(page, 'Phone project');
		await expect(projects).toBeHidden();
		await page.getByRole('button', { name: 'Open menu' }).click();
		await newSession(page);
		await expect(projects).toBeHidden();
		await send(page, 'from my phone '.repeat(40));
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow).toBe(0);
		const composer = await page.getByRole('textbox', { name: 'Message' }).boundingBox();
		expect((composer?.x ?? -1) + (composer?.width ?? Infinity)).toBeLessThanOrEqual(390);
	});
});
