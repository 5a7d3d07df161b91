import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { sessionDoc } from '../../src/lib/core/doc-names.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { SyncProvider } from '../../src/lib/sync/provider.js';
import type { WebSocketConstructor } from '../../src/lib/sync/socket.js';
import {
	createProject,
	device,
	expect,
	newSession,
	openSession,
	send,
	signIn,
	syncStatus,
	test
} from './fixtures.js';

/**
 * Another connection takes a write transaction on the account database's outbox marks and keeps
 * it alive, so the app's next write (which includes them) waits behind it: an IndexedDB commit
 * held back on purpose, for as long as the test likes.
 */
async function holdLocalWrites(page: Page): Promise<void> {
	await page.evaluate(async () => {
		const names = (await indexedDB.databases())
			.map((d) => d.name ?? '')
			.filter((name) => name.startsWith('tether-account-'));
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open(names[0] ?? 'missing');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const flags = window as unknown as { releaseLocalWrites?: boolean };
		flags.releaseLocalWrites = false;
		const marks = db.transaction('dirty', 'readwrite').objectStore('dirty');
		const spin = () => {
			if (flags.releaseLocalWrites) return;
			marks.get('keep-alive').onsuccess = spin;
		};
		spin();
	});
}

async function releaseLocalWrites(page: Page): Promise<void> {
	await page.evaluate(() => {
		(window as unknown as { releaseLocalWrites?: boolean }).releaseLocalWrites = true;
	});
}

/** From now on every IndexedDB write in the page fails as a full disk does. */
async function fillStorage(page: Page): Promise<void> {
	await page.evaluate(() => {
		const full = () => {
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		};
		IDBObjectStore.prototype.add = full;
		IDBObjectStore.prototype.put = full;
	});
}

test.describe('storage on this device', () => {
	test('[LS12] the status says Saving… until IndexedDB committed the edit, even once the server has it', async ({
		browser,
		apiKey
	}) => {
		const a = await device(browser, apiKey);
		const b = await device(browser, apiKey);
		await createProject(a, 'Commit first');
		await newSession(a);
		await send(a, 'opening words');
		await expect(syncStatus(a)).toHaveText('Synced');
		await openSession(b, 'Commit first', 'opening words');

		await holdLocalWrites(a);
		await a.getByRole('textbox', { name: 'Message' }).fill('typed while the disk is busy');
		// The server has the draft (B shows it), but this device has not committed it yet.
		await expect(b.getByRole('textbox', { name: 'Message' })).toHaveValue(
			'typed while the disk is busy'
		);
		await expect(syncStatus(a)).toHaveText('Saving…');
		await releaseLocalWrites(a);
		await expect(syncStatus(a)).toHaveText('Synced');
	});

	test('[LS13] storage full: the person is told once and messages still reach the server', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Full disk');
		await newSession(page);
		await send(page, 'before the disk filled');
		await expect(syncStatus(page)).toHaveText('Synced');

		await fillStorage(page);
		const box = page.getByRole('textbox', { name: 'Message' });
		const full = page.getByRole('alert').filter({ hasText: 'storage is full' });
		for (const text of ['sent with a full disk', 'and another']) {
			await box.fill(text);
			await box.press('Enter');
			await expect(box).toHaveValue('');
			// The server confirmed it, though this device could not store it.
			await expect(syncStatus(page)).toHaveText('Synced');
		}
		await expect(full).toBeVisible();
		await expect(full).toHaveCount(1);

		// A reload (storage works again) brings both back from the server.
		await page.reload();
		const mine = page
			.getByRole('log', { name: 'Conversation' })
			.getByRole('article', { name: 'You' });
		await expect(mine).toHaveCount(3);
		await expect(mine.last()).toContainText('and another');
	});

	test('[LS14] the account menu says how much this device holds, and storage was asked to persist', async ({
		page,
		apiKey
	}) => {
		// Count the app's requests for persistent storage.
		await page.addInitScript(() => {
			const storage = navigator.storage;
			const persist = storage.persist.bind(storage);
			const seen = window as unknown as { persistAsked: number };
			seen.persistAsked = 0;
			storage.persist = () => {
				seen.persistAsked++;
				return persist();
			};
		});
		await signIn(page, apiKey);
		await expect
			.poll(() => page.evaluate(() => (window as unknown as { persistAsked: number }).persistAsked))
			.toBeGreaterThan(0);
		await createProject(page, 'Weighed');
		await page.getByRole('button', { name: 'Sign out' }).click();
		const storage = page
			.getByRole('dialog')
			.getByRole('region', { name: 'Storage on this device' });
		await expect(storage).toContainText(
			/Tether uses [\d.]+ (bytes|KB|MB|GB) of [\d.]+ (KB|MB|GB|TB) available/
		);
		// Sign-in asked for persistent storage; Chromium grants or refuses it by its own rules.
		await expect(storage).toContainText(/The browser (keeps it until you remove it|may clear it)/);
	});
});

test('[PW10] a streaming answer is followed at the end, left alone when scrolled up, and Jump to latest returns', async ({
	page,
	apiKey,
	tether
}) => {
	tether.fake.reset();
	// Long enough to still be streaming on a busy machine; Stop ends it once the test has seen enough.
	const lines = Array.from({ length: 500 }, (_, i) => `Line ${i} of a long answer.\n\n`);
	tether.fake.script({
		blocks: [{ type: 'text', text: lines.join(''), deltas: lines }],
		delayMs: 100
	});
	await signIn(page, apiKey);
	await createProject(page, 'Long answers');
	await newSession(page);
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill('Tell me at length');
	await box.press('Enter');
	const log = page.getByRole('log', { name: 'Conversation' });
	const answer = log.getByRole('article', { name: 'Claude' });
	const writing = answer.getByRole('status').filter({ hasText: 'Writing…' });

	// At the end: the view follows the answer as it grows.
	await expect(answer).toContainText('Line 15 ');
	await expect(writing).toBeInViewport();

	// Scrolled up with the wheel, as a person does: the view stays where the reader is, and
	// offers the way back.
	const question = log.getByRole('article', { name: 'You' });
	await log.hover();
	await expect(async () => {
		await page.mouse.wheel(0, -5000);
		await expect(question).toBeInViewport({ timeout: 1000 });
	}).toPass();
	const jump = page.getByRole('button', { name: 'Jump to latest' });
	await expect(jump).toBeVisible();
	await expect(answer).toContainText('Line 30 ');
	await expect(question).toBeInViewport();
	await expect(writing).not.toBeInViewport();

	await jump.click();
	await expect(jump).toBeHidden();
	await expect(writing).toBeInViewport();
	await page.getByRole('button', { name: 'Stop' }).click();
	await expect(answer).toContainText('Stopped.');
	await expect(writing).toHaveCount(0);
});

test('[PW19] a session still arriving from another device when it opens is followed to its end', async ({
	page,
	browser,
	apiKey,
	tether
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Arrivals');
	await newSession(page);
	await send(page, 'Arriving session');
	const sessionId = page.url().split('/s/')[1] ?? '';

	const other = await device(browser, apiKey);
	await openSession(other, 'Arrivals', 'Arriving session');
	const log = other.getByRole('log', { name: 'Conversation' });
	await expect(log).toContainText('Arriving session');

	// Another client writes a long history into the session in bursts, as a big import or a
	// device coming back online does, while the second device has it open at its end.
	const { token } = await tether.login(apiKey);
	const doc = new Y.Doc();
	const provider = new SyncProvider({
		url: `${tether.wsUrl}/sync`,
		docName: sessionDoc(sessionId),
		doc,
		getToken: async () => token,
		WebSocketImpl: WebSocket as unknown as WebSocketConstructor,
		awareness: null
	});
	await provider.whenSynced;
	const paragraph = 'A paragraph of an earlier exchange that fills a few lines on the screen. ';
	for (let burst = 0; burst < 10; burst++) {
		doc.transact(() => {
			for (let i = 0; i < 30; i++) {
				const n = burst * 30 + i;
				shapes.appendMessage(doc, {
					id: `arrived-${n}`,
					role: n % 2 === 0 ? 'user' : 'assistant',
					text: `Message ${n}. ${paragraph.repeat(1 + (n % 5))}`,
					createdAt: Date.now()
				});
			}
		});
		await new Promise((resolve) => setTimeout(resolve, 150));
	}
	await expect.poll(() => provider.unsyncedCount).toBe(0);
	provider.destroy();

	// Nobody scrolled: the newest message is on screen, as in any chat app.
	await expect(log.getByText('Message 299.')).toBeInViewport({ timeout: 20_000 });
});
