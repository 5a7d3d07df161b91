import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/** Init script: notes when the first message is in the log and when a session's updates are read. */
function watchOrder(): void {
	const w = window as unknown as { __order: string[] };
	w.__order = [];
	const note = (what: string) => {
		if (!w.__order.includes(what)) w.__order.push(what);
	};
	// The session's Yjs document loads from the "updates" store's "docName" index.
	for (const method of ['getAll', 'openCursor', 'getAllKeys', 'count'] as const) {
		const real = IDBIndex.prototype[method] as (...args: unknown[]) => IDBRequest;
		(IDBIndex.prototype as unknown as Record<string, unknown>)[method] = function (
			this: IDBIndex,
			...args: unknown[]
		) {
			// Dexie passes the range itself, or an options object ({ query, count, direction }).
			const first = args[0] as { query?: unknown } | IDBKeyRange | string | undefined;
			const range = first && typeof first === 'object' && 'query' in first ? first.query : first;
			const key = String(range instanceof IDBKeyRange ? range.lower : range);
			if (this.objectStore.name === 'updates' && key.startsWith('session.')) {
				note('document read');
			}
			return real.apply(this, args);
		};
	}
	new MutationObserver(() => {
		if (document.querySelector('[role="log"][aria-label="Conversation"] article')) {
			note('message shown');
		}
	}).observe(document, { childList: true, subtree: true });
}

test('[PW17] a session page shows its stored messages before it reads the session document', async ({
	page,
	apiKey
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Order');
	await newSession(page);
	await send(page, 'shown first');

	await page.addInitScript(watchOrder);
	await page.reload();
	const composer = page.getByRole('textbox', { name: 'Message' });
	await expect(composer).toBeVisible();
	await expect(
		page.getByRole('log', { name: 'Conversation' }).getByRole('article', { name: 'You' })
	).toContainText('shown first');
	const order = await page.evaluate(() => (window as unknown as { __order: string[] }).__order);
	expect(order).toEqual(['message shown', 'document read']);
});
