import type { Browser, Page } from '@playwright/test';
import {
	createProject,
	expect,
	newSession,
	openProject,
	signIn,
	syncStatus,
	test
} from './fixtures.js';

/** A device: its own browser context (own IndexedDB), signed in with the same key. */
async function device(browser: Browser, apiKey: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await signIn(page, apiKey);
	return page;
}

const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });
const answers = (page: Page) => log(page).getByRole('article', { name: 'Claude' });

async function ask(page: Page, text: string): Promise<void> {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
	await expect(log(page).getByRole('article', { name: 'You' }).last()).toContainText(text);
}

async function openSession(page: Page, project: string, title: string): Promise<void> {
	await openProject(page, project);
	await page.getByRole('region', { name: 'Sessions' }).getByRole('link', { name: title }).click();
	await expect(log(page)).toBeVisible();
}

test.beforeEach(({ tether }) => tether.fake.reset());

test('[RN1] an answer asked on A streams live on B, and is whole after A closes mid-run', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Streams');
	await a.getByRole('textbox', { name: 'Project information' }).fill('We write tests first.');
	await newSession(a);
	const b = await device(browser, apiKey);
	await b.goto(a.url());
	await expect(b.getByRole('textbox', { name: 'Message' })).toBeVisible();

	const words = Array.from({ length: 30 }, (_, i) => `word${i} `);
	tether.fake.script({
		blocks: [{ type: 'text', text: words.join(''), deltas: words }],
		usage: { inputTokens: 21, outputTokens: 30 },
		delayMs: 150
	});
	await ask(a, 'Stream me an answer 🌊');
	// B watches it grow: some words first, while it is still writing, then all of them.
	await expect(answers(b).last()).toContainText('word3', { timeout: 10_000 });
	await expect(answers(b).last()).toHaveAttribute('aria-busy', 'true');
	await expect(answers(b).last()).not.toContainText('word29');
	await a.context().close();
	await expect(answers(b).last()).toContainText('word29', { timeout: 15_000 });
	await expect(answers(b).last()).toHaveAttribute('aria-busy', 'false');
	await expect(answers(b).last()).toContainText('21 in · 30 out');

	// One request, with the project information as the system prompt and this history only.
	const sent = tether.fake.requestsTo('/v1/messages');
	expect(sent).toHaveLength(1);
	expect(sent[0]?.body).toMatchObject({
		system: 'We write tests first.',
		messages: [{ role: 'user', content: [{ type: 'text', text: 'Stream me an answer 🌊' }] }]
	});

	// A reopened device finds the whole answer.
	const again = await device(browser, apiKey);
	await openSession(again, 'Streams', 'Stream me an answer 🌊');
	await expect(answers(again).last()).toContainText('word29');
	await expect(syncStatus(again)).toHaveText('Synced');
});
