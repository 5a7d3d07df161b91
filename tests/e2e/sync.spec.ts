import fs from 'node:fs';
import path from 'node:path';
import {
	createProject,
	device,
	expect,
	newSession,
	openProject,
	openSession,
	send,
	signIn,
	syncStatus,
	test
} from './fixtures.js';

/** Which of `texts` are anywhere in the server's DATA_DIR files (database, -wal, -shm, ...). */
function onServerDisk(dataDir: string, texts: string[]): string[] {
	const files = fs
		.readdirSync(dataDir, { withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => fs.readFileSync(path.join(dataDir, entry.name)));
	return texts.filter((text) => files.some((bytes) => bytes.includes(Buffer.from(text, 'utf8'))));
}

test('[CL13] a session left before the server confirmed its message is caught up at once', async ({
	context,
	apiKey
}) => {
	const page = await context.newPage();
	await signIn(page, apiKey);
	await createProject(page, 'Quick switch');
	await newSession(page);
	await expect(syncStatus(page)).toHaveText('Synced');
	// The server's "stored" acknowledgements (message type 100) come 2 s late from now on: what is
	// sent stays unconfirmed for a while, as on a slow network or a busy server.
	await context.routeWebSocket(/\/sync\//, (ws) => {
		const server = ws.connectToServer();
		ws.onMessage((message) => server.send(message));
		server.onMessage((message) => {
			if (typeof message !== 'string' && message[0] === 100) {
				setTimeout(() => ws.send(message), 2000);
			} else ws.send(message);
		});
	});
	await page.reload();
	await expect(syncStatus(page)).toHaveText('Synced', { timeout: 10_000 });
	await send(page, 'sent, then left at once');
	await newSession(page);
	// The catch-up's round comes every 30 s: well within that, the first session is confirmed.
	await expect(syncStatus(page)).toHaveText('Synced', { timeout: 10_000 });
});

test.describe('sync across devices', () => {
	test('a project, sessions and messages made on A appear on B, and edits go both ways', async ({
		browser,
		apiKey
	}) => {
		const a = await device(browser, apiKey);
		const b = await device(browser, apiKey);
		await expect(syncStatus(a)).toHaveText('Synced');

		await createProject(a, 'Shared project');
		await newSession(a);
		await send(a, 'hello from A');
		await expect(syncStatus(a)).toHaveText('Synced');

		const projectsB = b.getByRole('navigation', { name: 'Projects' });
		await expect(projectsB.getByRole('link', { name: 'Shared project' })).toBeVisible({
			timeout: 5000
		});
		await openProject(b, 'Shared project');
		const sessionsB = b.getByRole('region', { name: 'Sessions' });
		await expect(sessionsB.getByRole('link', { name: 'hello from A' })).toBeVisible({
			timeout: 5000
		});
		await sessionsB.getByRole('link', { name: 'hello from A' }).click();
		await expect(b.getByRole('log', { name: 'Conversation' })).toContainText('hello from A');

		await send(b, 'reply from B');
		await expect(a.getByRole('log', { name: 'Conversation' })).toContainText('reply from B', {
			timeout: 5000
		});
		await b.getByRole('textbox', { name: 'Message' }).fill('draft typed on B');
		await expect(a.getByRole('textbox', { name: 'Message' })).toHaveValue('draft typed on B', {
			timeout: 5000
		});
	});

	test('[CL14] a draft changed on another device keeps this device’s cursor and selection', async ({
		browser,
		apiKey
	}) => {
		const a = await device(browser, apiKey);
		const b = await device(browser, apiKey);
		await createProject(a, 'Cursors');
		await newSession(a);
		await send(a, 'cursor test');
		const draftA = a.getByRole('textbox', { name: 'Message' });
		const draftB = b.getByRole('textbox', { name: 'Message' });
		await draftA.fill('hello world');
		await openSession(b, 'Cursors', 'cursor test');
		await expect(draftB).toHaveValue('hello world');

		// A's cursor sits after "hello"; B adds at the end, then at the start.
		await draftA.evaluate((field: HTMLTextAreaElement) => field.setSelectionRange(5, 5));
		await draftB.press('End');
		await draftB.pressSequentially('!');
		await expect(draftA).toHaveValue('hello world!');
		await draftB.press('Home');
		await draftB.pressSequentially('😀 ');
		await expect(draftA).toHaveValue('😀 hello world!');
		await a.keyboard.type('XYZ');
		await expect(draftA).toHaveValue('😀 helloXYZ world!');
		await expect(draftB).toHaveValue('😀 helloXYZ world!');

		// A selection moves with its text too.
		await draftA.evaluate((field: HTMLTextAreaElement) => field.setSelectionRange(12, 17));
		await draftB.press('Home');
		await draftB.pressSequentially('שלום ');
		await expect(draftA).toHaveValue('שלום 😀 helloXYZ world!');
		expect(
			await draftA.evaluate((field: HTMLTextAreaElement) =>
				field.value.slice(field.selectionStart, field.selectionEnd)
			)
		).toBe('world');
	});

	test('another key sees none of it', async ({ browser, apiKey }) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Private project');
		await expect(syncStatus(a)).toHaveText('Synced');
		const other = await device(browser, `${apiKey}-other`);
		await expect(syncStatus(other)).toHaveText('Synced');
		await expect(other.getByRole('heading', { name: 'Welcome to Tether' })).toBeVisible();
		await expect(other.getByRole('navigation', { name: 'Projects' }).getByRole('link')).toHaveCount(
			0
		);
	});
});

test.describe('offline', () => {
	test('two devices edit the same project and session offline, then converge with every edit', async ({
		browser,
		apiKey,
		tether
	}) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Offline work');
		await newSession(a);
		await send(a, 'before going offline');
		await expect(syncStatus(a)).toHaveText('Synced');
		const b = await device(browser, apiKey);
		await b.goto(a.url());
		await expect(b.getByRole('log', { name: 'Conversation' })).toContainText(
			'before going offline'
		);

		// Cut both for real: the server goes away, and the browsers are told they are offline.
		await tether.stop();
		await a.context().setOffline(true);
		await b.context().setOffline(true);
		await expect(syncStatus(a)).toHaveText('Offline');
		await expect(syncStatus(b)).toHaveText('Offline');

		await send(a, 'written on A offline');
		await send(b, 'written on B offline');
		await openProject(a, 'Offline work');
		await a.getByRole('textbox', { name: 'Project information' }).fill('Info from A.');
		await newSession(b);
		await send(b, 'a new session made on B offline');

		await tether.restart();
		await a.context().setOffline(false);
		await b.context().setOffline(false);

		for (const page of [a, b]) {
			await openProject(page, 'Offline work');
			await expect(page.getByRole('textbox', { name: 'Project information' })).toHaveValue(
				'Info from A.',
				{ timeout: 10_000 }
			);
			const sessions = page.getByRole('region', { name: 'Sessions' });
			await expect(
				sessions.getByRole('link', { name: 'a new session made on B offline' })
			).toBeVisible();
			await sessions.getByRole('link', { name: 'before going offline' }).click();
			const log = page.getByRole('log', { name: 'Conversation' });
			await expect(log).toContainText('written on A offline');
			await expect(log).toContainText('written on B offline');
			await expect(log.getByRole('article', { name: 'You' })).toHaveCount(3);
			await expect(syncStatus(page)).toHaveText('Synced', { timeout: 10_000 });
		}
	});

	test('a session deleted while another device is offline stays deleted when it returns', async ({
		browser,
		apiKey,
		tether
	}) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Cleanup');
		await newSession(a);
		await send(a, 'doomed session');
		await newSession(a);
		await send(a, 'survivor');
		await expect(syncStatus(a)).toHaveText('Synced');
		const b = await device(browser, apiKey);
		const sessionsB = b.getByRole('region', { name: 'Sessions' });
		await openProject(b, 'Cleanup');
		await sessionsB.getByRole('link', { name: 'doomed session' }).click();
		await expect(b.getByRole('log', { name: 'Conversation' })).toContainText('doomed session');
		const doomedUrl = b.url();

		await b.context().setOffline(true);
		await expect(syncStatus(b)).toHaveText('Offline');
		// B keeps editing the doomed session while offline.
		await b.getByRole('textbox', { name: 'Message' }).fill('late words from B');

		const sessionsA = a.getByRole('region', { name: 'Sessions' });
		await sessionsA.getByRole('link', { name: 'doomed session' }).click({ button: 'right' });
		await a.getByRole('menuitem', { name: 'Delete session' }).click();
		await a.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
		await expect(sessionsA.getByRole('link', { name: 'doomed session' })).toHaveCount(0);
		await expect(syncStatus(a)).toHaveText('Synced');

		await b.context().setOffline(false);
		await expect(sessionsB.getByRole('link', { name: 'doomed session' })).toHaveCount(0, {
			timeout: 10_000
		});
		await expect(b.getByRole('heading', { name: 'Session not found' })).toBeVisible();
		await expect(syncStatus(b)).toHaveText('Synced', { timeout: 10_000 });

		// Not resurrected: a fresh device sees only the survivor, and the server refuses the doc.
		const c = await device(browser, apiKey);
		await openProject(c, 'Cleanup');
		await expect(
			c.getByRole('region', { name: 'Sessions' }).getByRole('link', { name: 'survivor' })
		).toBeVisible();
		await expect(
			c.getByRole('region', { name: 'Sessions' }).getByRole('link', { name: 'doomed session' })
		).toHaveCount(0);
		await c.goto(doomedUrl);
		await expect(c.getByRole('heading', { name: 'Session not found' })).toBeVisible();
		// Nothing of it is left on the server: not its title (the project document was compacted
		// when the deletion was stored), not its message, not B's late draft (R16).
		expect(onServerDisk(tether.dataDir, ['doomed session', 'late words from B'])).toEqual([]);
		expect(onServerDisk(tether.dataDir, ['survivor'])).toEqual(['survivor']);
	});
});
