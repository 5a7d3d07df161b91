import type { Page } from '@playwright/test';
import { answers, ask, createProject, device, expect, newSession, test } from './fixtures.js';

const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });
const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const related = (page: Page) => page.getByRole('list', { name: 'Related sessions' });

interface SentMessage {
	role: string;
	content: { type: string; text?: string }[];
}
/** The messages of the last request the fake upstream received, as role and text. */
function lastSent(tether: { fake: { requestsTo(path: string): { body: unknown }[] } }) {
	const body = tether.fake.requestsTo('/v1/messages').at(-1)?.body as {
		messages: SentMessage[];
		tools?: unknown[];
	};
	return {
		tools: body.tools,
		messages: body.messages.map((m) => [m.role, m.content.map((c) => c.text ?? '').join('')])
	};
}

async function sessionOptions(page: Page, item: 'Fork' | 'Compact'): Promise<void> {
	const before = page.url();
	await page
		.getByRole('region', { name: 'Sessions' })
		.getByRole('listitem')
		.filter({ has: page.getByRole('link', { name: 'Trip to Oslo', exact: true }) })
		.getByRole('button', { name: 'Session options' })
		.click();
	await page.getByRole('menuitem', { name: item }).click();
	await expect(page).not.toHaveURL(before);
}

/** A session "Trip to Oslo" with two questions and their (echoed) answers. */
async function conversation(page: Page): Promise<void> {
	await newSession(page);
	await ask(page, 'Trip to Oslo');
	await expect(answers(page)).toHaveCount(1);
	await ask(page, 'Which museums?');
	await expect(answers(page)).toHaveCount(2);
	await expect(answers(page).last()).toContainText('Echo: Which museums?');
	await expect(heading(page)).toHaveText('Trip to Oslo');
}

// Two devices and several runs per test: more than the 60 s default on a loaded machine.
test.describe.configure({ timeout: 120_000 });
test.beforeEach(({ tether }) => tether.fake.reset());

test('[LB20] [LB21] Fork from here copies the conversation up to that message into a new session, linked back, on every device', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Forks');
	await conversation(a);
	const original = a.url();

	await answers(a).first().getByRole('button', { name: 'Fork from here' }).click();
	await expect(a).not.toHaveURL(original);
	await expect(heading(a)).toHaveText('Trip to Oslo (fork)');
	const fork = a.url();
	await expect(log(a).getByRole('article')).toHaveCount(2);
	await expect(log(a).getByRole('article', { name: 'You' })).toHaveText([/Trip to Oslo/]);
	await expect(answers(a)).toHaveText([/Echo: Trip to Oslo/]);
	await expect(a.getByRole('textbox', { name: 'Message' })).toBeFocused();
	await expect(related(a)).toHaveText('Forked from Trip to Oslo');

	// The fork goes on as a conversation of its own: the next request holds only its messages.
	await ask(a, 'And in winter?');
	await expect(answers(a).last()).toContainText('Echo: And in winter?');
	expect(lastSent(tether).messages).toEqual([
		['user', 'Trip to Oslo'],
		['assistant', 'Echo: Trip to Oslo'],
		['user', 'And in winter?']
	]);

	// Another device opens the fork with the same messages and link.
	const b = await device(browser, apiKey);
	await b.goto(fork);
	await expect(heading(b)).toHaveText('Trip to Oslo (fork)');
	await expect(log(b).getByRole('article')).toHaveCount(4);
	await expect(answers(b).first()).toContainText('Echo: Trip to Oslo');
	await related(b).getByRole('link', { name: 'Trip to Oslo' }).click();
	await expect(b).toHaveURL(original);
	await expect(log(b).getByRole('article')).toHaveCount(4);
	await expect(answers(b).last()).toContainText('Echo: Which museums?');
	// The original leads to its fork as well.
	await expect(related(b)).toHaveText('Forked into Trip to Oslo (fork)');
	await related(b).getByRole('link', { name: 'Trip to Oslo (fork)' }).click();
	await expect(b).toHaveURL(fork);
});

test('[LB20] a person’s message forks too, and Fork in Session options copies the whole session', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Whole forks');
	await conversation(a);
	const original = a.url();
	await log(a)
		.getByRole('article', { name: 'You' })
		.last()
		.getByRole('button', { name: 'Fork from here' })
		.click();
	await expect(heading(a)).toHaveText('Trip to Oslo (fork)');
	await expect(log(a).getByRole('article')).toHaveCount(3);
	await expect(log(a).getByRole('article').last()).toContainText('Which museums?');
	// Copied as answered: the copy of a question never asks for an answer again.
	await expect(log(a).getByRole('article').last()).not.toContainText('Waiting');
	await a.goto(original);
	await expect(log(a).getByRole('article')).toHaveCount(4);
	await sessionOptions(a, 'Fork');
	await expect(heading(a)).toHaveText('Trip to Oslo (fork)');
	await expect(log(a).getByRole('article')).toHaveCount(4);
	await expect(a.getByRole('textbox', { name: 'Message' })).toBeFocused();
	// Nothing copied asked Claude for an answer.
	expect(tether.fake.requestsTo('/v1/messages')).toHaveLength(2);
});

test('[LB22] [LB23] Compact: Claude summarizes the session into a new one that sends the summary, linked both ways', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Compacting');
	await conversation(a);
	const old = a.url();

	tether.fake.script({ blocks: [{ type: 'text', text: 'Summary: a trip to Oslo, museums.' }] });
	await sessionOptions(a, 'Compact');
	await expect(heading(a)).toHaveText('Trip to Oslo (compacted)');
	await expect(a.getByRole('textbox', { name: 'Message' })).toBeFocused();
	await expect(answers(a)).toHaveText([/Summary: a trip to Oslo, museums\./]);
	const compacted = a.url();
	// The summary was asked from the old session's whole conversation, without tools.
	const asked = lastSent(tether);
	expect(asked.tools).toBeUndefined();
	expect(asked.messages.slice(0, 4)).toEqual([
		['user', 'Trip to Oslo'],
		['assistant', 'Echo: Trip to Oslo'],
		['user', 'Which museums?'],
		['assistant', 'Echo: Which museums?']
	]);
	expect(asked.messages[4]?.[1]).toContain('Summarize our conversation');

	// Linked both ways.
	await expect(related(a)).toHaveText('Compacted from Trip to Oslo');
	await related(a).getByRole('link', { name: 'Trip to Oslo' }).click();
	await expect(a).toHaveURL(old);
	await expect(log(a).getByRole('article')).toHaveCount(4);
	await expect(related(a)).toHaveText('Continued in Trip to Oslo (compacted)');
	await related(a).getByRole('link', { name: 'Trip to Oslo (compacted)' }).click();
	await expect(a).toHaveURL(compacted);

	// The next prompt sends the summary, not the old conversation.
	await ask(a, 'Book a hotel');
	await expect(answers(a).last()).toContainText('Echo: Book a hotel');
	const next = lastSent(tether).messages;
	expect(next).toHaveLength(3);
	expect(next[1]).toEqual(['assistant', 'Summary: a trip to Oslo, museums.']);
	expect(next[2]).toEqual(['user', 'Book a hotel']);
	expect(JSON.stringify(next)).not.toContain('Echo: Which museums?');
});

test('[LB24] a compact whose summary fails leaves the old session untouched and says so; Retry writes it', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Failed compact');
	await conversation(a);
	const old = a.url();

	tether.fake.failNext(400, { endpoint: 'messages' });
	await sessionOptions(a, 'Compact');
	await expect(heading(a)).toHaveText('Trip to Oslo (compacted)');
	await expect(a.getByRole('alert')).toContainText(
		'The summary could not be written, so “Trip to Oslo” is unchanged.'
	);
	const compacted = a.url();

	await a.goto(old);
	await expect(log(a).getByRole('article')).toHaveCount(4);
	await expect(answers(a).last()).toContainText('Echo: Which museums?');
	await expect(heading(a)).toHaveText('Trip to Oslo');
	await expect(related(a)).toHaveCount(0);

	await a.goto(compacted);
	await answers(a).getByRole('button', { name: 'Retry' }).click();
	await expect(answers(a).last()).toContainText('Echo: Summarize our conversation');
	await expect(a.getByRole('alert')).toHaveCount(0);
	await related(a).getByRole('link', { name: 'Trip to Oslo' }).click();
	await expect(related(a)).toHaveText('Continued in Trip to Oslo (compacted)');
});
