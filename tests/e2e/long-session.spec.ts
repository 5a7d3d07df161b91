import WebSocket from 'ws';
import * as Y from 'yjs';
import { sessionDoc } from '../../src/lib/core/doc-names.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { SyncProvider } from '../../src/lib/sync/provider.js';
import type { WebSocketConstructor } from '../../src/lib/sync/socket.js';
import { createProject, expect, newSession, signIn, test } from './fixtures.js';

test('a 5,000-message session opens at its end, renders only what is on screen, and scrolls', async ({
	page,
	apiKey,
	tether
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Long');
	await newSession(page);
	const sessionId = page.url().split('/s/')[1] ?? '';

	// Another device (Node, the app's own sync provider) writes 5,000 messages into the session.
	const { token } = await tether.login(apiKey);
	const doc = new Y.Doc();
	doc.transact(() => {
		for (let i = 0; i < 5000; i++) {
			shapes.appendMessage(doc, {
				id: `long-${i}`,
				role: i % 2 ? 'assistant' : 'user',
				text: `message number ${i}: ${'lorem ipsum '.repeat(1 + (i % 7))}`,
				createdAt: 1_700_000_000_000 + i
			});
		}
	});
	const provider = new SyncProvider({
		url: `${tether.wsUrl}/sync`,
		docName: sessionDoc(sessionId),
		doc,
		getToken: async () => token,
		WebSocketImpl: WebSocket as unknown as WebSocketConstructor,
		awareness: null
	});
	await provider.whenSynced;
	provider.destroy();

	const log = page.getByRole('log', { name: 'Conversation' });
	await expect(log.getByText('message number 4999:')).toBeVisible({ timeout: 20_000 });

	await page.reload();
	await expect(log.getByText('message number 4999:')).toBeVisible();
	expect(await log.getByRole('article').count()).toBeLessThan(100);

	// Scroll to the top (the list is virtual: keep going until the first message is drawn).
	await expect(async () => {
		await log.evaluate((el) => el.scrollTo({ top: 0 }));
		await expect(log.getByText('message number 0:', { exact: false })).toBeVisible({
			timeout: 500
		});
	}).toPass({ timeout: 15_000 });
	expect(await log.getByRole('article').count()).toBeLessThan(100);
});
