import type { Page } from '@playwright/test';
import { answers, ask, createProject, expect, newSession, signIn, test } from './fixtures.js';

const meter = (page: Page) => page.getByRole('meter', { name: 'Context used' });

test.beforeEach(({ tether }) => tether.fake.reset());

test('[LB11] [LB12] [LB13] the context meter shows the share of the model window used, and warns from 80%', async ({
	page,
	apiKey,
	tether
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Meter');
	await newSession(page);
	// Nothing said yet, against the default model's window (Sonnet 4.6: 1M).
	await expect(meter(page)).toContainText('0% of 1M');
	await expect(meter(page)).toHaveAttribute('aria-valuemax', '1000000');

	tether.fake.script({
		blocks: [{ type: 'text', text: 'First answer' }],
		usage: { inputTokens: 20_000, outputTokens: 4_000 }
	});
	await ask(page, 'Count my tokens');
	await expect(answers(page).last()).toContainText('First answer');
	await expect(meter(page)).toHaveAttribute('aria-valuenow', '24000');
	await expect(meter(page)).toContainText('2% of 1M');

	// A model with a smaller window: the same tokens fill more of it.
	await page.getByRole('combobox', { name: 'Model' }).selectOption('claude-opus-4-6');
	await expect(meter(page)).toContainText('12% of 200K');
	await expect(meter(page)).toHaveAttribute('aria-valuemax', '200000');
	await expect(meter(page)).not.toContainText('Context almost full');

	// Cached input counts: 10 + 150,000 read + 10,000 written + 100 out is 80% of 200K.
	tether.fake.script({
		blocks: [{ type: 'text', text: 'Second answer' }],
		usage: {
			inputTokens: 10,
			outputTokens: 100,
			cacheReadTokens: 150_000,
			cacheWriteTokens: 10_000
		}
	});
	await ask(page, 'And now?');
	await expect(answers(page).last()).toContainText('Second answer');
	await expect(meter(page)).toHaveAttribute('aria-valuenow', '160110');
	await expect(meter(page)).toContainText('80% of 200K');
	await expect(meter(page).getByText('Context almost full')).toBeVisible();
	await expect(meter(page)).toHaveAttribute('aria-valuetext', /context almost full/);

	// What is written after the last answer is estimated: 4,000 characters are about 1,000 tokens
	// (the request is refused, so no answer measures it).
	tether.fake.failNext(400, { endpoint: 'messages' });
	await ask(page, 'x'.repeat(4_000));
	await expect(answers(page).last()).toHaveAttribute('aria-busy', 'false');
	await expect(meter(page)).toHaveAttribute('aria-valuenow', '161110');
});

test('[LB14] [LB15] "Usage" in the project options charts the tokens of today, all sessions together', async ({
	page,
	apiKey,
	tether
}) => {
	await signIn(page, apiKey);
	await createProject(page, 'Counted');
	await newSession(page);
	tether.fake.script({
		blocks: [{ type: 'text', text: 'One' }],
		usage: { inputTokens: 1_200, outputTokens: 300, cacheReadTokens: 5_000, cacheWriteTokens: 700 }
	});
	await ask(page, 'First session');
	await expect(answers(page).last()).toContainText('One');
	await newSession(page);
	tether.fake.script({
		blocks: [{ type: 'text', text: 'Two' }],
		usage: { inputTokens: 800, outputTokens: 200, cacheReadTokens: 0, cacheWriteTokens: 300 }
	});
	await ask(page, 'Second session');
	await expect(answers(page).last()).toContainText('Two');

	await page
		.getByRole('navigation', { name: 'Projects' })
		.getByRole('listitem')
		.filter({ hasText: 'Counted' })
		.getByRole('button', { name: 'Project options' })
		.click();
	await page.getByRole('menuitem', { name: 'Usage' }).click();
	const dialog = page.getByRole('dialog', { name: 'Usage' });
	await expect(dialog.getByRole('img', { name: 'Tokens per day' })).toBeVisible();
	const table = dialog.getByRole('table', { name: 'Tokens per day' });
	await expect(table.getByRole('row')).toHaveCount(2); // the header and today
	const today = table.getByRole('row', { name: /^Today/ });
	await expect(today.getByRole('cell')).toHaveText(['2,000', '500', '5,000', '1,000']);
	await expect(table.getByRole('columnheader')).toHaveText([
		'Day',
		'Input',
		'Output',
		'Cache read',
		'Cache write'
	]);

	await dialog.getByRole('button', { name: 'Close' }).click();
	await expect(dialog).toBeHidden();
});
