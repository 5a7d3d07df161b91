import type { Page } from '@playwright/test';
import type { Failure } from '../fake-anthropic/index.js';
import type { ScriptedReply } from '../fake-anthropic/reply.js';
import { createProject, expect, newSession, signIn, test } from './fixtures.js';

const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });
const lastAnswer = (page: Page) => log(page).getByRole('article', { name: 'Claude' }).last();

async function ask(page: Page, text: string): Promise<void> {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
	await expect(log(page).getByRole('article', { name: 'You' }).last()).toContainText(text);
}

test.beforeEach(({ tether }) => tether.fake.reset());

type Case = {
	name: string;
	fail?: Failure;
	/** Failures queued: two where the SDK retries once (429, 5xx, network), else one. */
	times?: number;
	reply?: ScriptedReply;
	words: RegExp;
	partial?: string;
};

const cases: Case[] = [
	{ name: 'invalid key', fail: { status: 401 }, words: /refused this API key \(401\)/ },
	{ name: 'billing', fail: { status: 402 }, words: /billing problem \(402\)/ },
	{
		name: 'rate limit',
		fail: { status: 429, retryAfter: 0.2 },
		times: 2,
		words: /rate limiting this key \(429\)\. Try again in 1 s/
	},
	{
		name: 'overloaded',
		fail: { status: 529, retryAfter: 0.1 },
		times: 2,
		words: /overloaded right now \(529\)/
	},
	{
		name: 'server error',
		fail: { status: 500, retryAfter: 0.1 },
		times: 2,
		words: /had a problem \(500\)/
	},
	{
		name: 'no network',
		fail: { kind: 'reset' },
		times: 2,
		words: /Cannot reach the Anthropic API|connection/
	},
	{
		name: 'mid-stream error',
		reply: {
			blocks: [{ type: 'text', text: 'Half of an answer', deltas: ['Half ', 'of an answer'] }],
			interrupt: { how: 'error-event', afterEvent: 4 }
		},
		words: /overloaded/,
		partial: 'Half'
	},
	{
		name: 'cut stream',
		reply: {
			blocks: [{ type: 'text', text: 'Cut short here', deltas: ['Cut ', 'short here'] }],
			interrupt: { how: 'close', afterEvent: 4 }
		},
		words: /closed before the answer was complete/,
		partial: 'Cut'
	},
	{
		name: 'stall',
		reply: {
			blocks: [{ type: 'text', text: 'Then silence', deltas: ['Then ', 'silence'] }],
			interrupt: { how: 'stall', afterEvent: 4 }
		},
		words: /stopped sending the answer/,
		partial: 'Then'
	}
];

test('[RN8] each kind of failure keeps what arrived, says what happened in words, and Retry then succeeds (R17, R18, R19)', async ({
	page,
	apiKey,
	tether
}) => {
	test.setTimeout(120_000);
	await signIn(page, apiKey);
	await createProject(page, 'Failures');
	await newSession(page);
	for (const [i, c] of cases.entries()) {
		await test.step(c.name, async () => {
			const before = tether.fake.requestsTo('/v1/messages').length;
			// Enough failures that the SDK's one retry (where it retries) fails too.
			if (c.fail) tether.fake.failNext(c.fail, { times: c.times ?? 1, endpoint: 'messages' });
			if (c.reply) tether.fake.script(c.reply);
			await ask(page, `Question ${i}: ${c.name}`);
			const answer = lastAnswer(page);
			await expect(answer).toContainText(c.words, { timeout: 15_000 });
			if (c.partial) await expect(answer).toContainText(c.partial);
			await expect(answer).toHaveAttribute('aria-busy', 'false');
			// Never retried silently after a partial answer (double billing, R18).
			const tries = tether.fake.requestsTo('/v1/messages').length - before;
			expect(tries).toBeLessThanOrEqual(c.partial ? 1 : 2);
			await answer.getByRole('button', { name: 'Retry' }).click();
			await expect(lastAnswer(page)).toContainText(`Echo: Question ${i}: ${c.name}`, {
				timeout: 15_000
			});
		});
	}
});

test('[RN11] a server stopped or killed mid-run leaves an interrupted answer with Retry, never a spinner', async ({
	page,
	apiKey,
	tether
}) => {
	test.setTimeout(90_000);
	await signIn(page, apiKey);
	await createProject(page, 'Restarts');
	await newSession(page);
	for (const how of ['SIGTERM', 'kill -9'] as const) {
		await test.step(how, async () => {
			const pieces = Array.from({ length: 100 }, (_, i) => `bit${i} `);
			tether.fake.script({
				blocks: [{ type: 'text', text: pieces.join(''), deltas: pieces }],
				delayMs: 100
			});
			await ask(page, `Long answer before ${how}`);
			await expect(lastAnswer(page)).toContainText('bit3', { timeout: 10_000 });
			if (how === 'SIGTERM') await tether.stop();
			else await tether.kill9();
			await tether.restart();
			const answer = lastAnswer(page);
			await expect(answer).toContainText('restarted during this answer', { timeout: 20_000 });
			await expect(answer).toHaveAttribute('aria-busy', 'false');
			await expect(answer).toContainText('bit3');
			await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
			await answer.getByRole('button', { name: 'Retry' }).click();
			await expect(lastAnswer(page)).toContainText(`Echo: Long answer before ${how}`, {
				timeout: 15_000
			});
		});
	}
});
