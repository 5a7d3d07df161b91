import { createProject, device, expect, newSession, send, syncStatus, test } from './fixtures.js';

const family = '👩‍👩‍👧'; // woman, ZWJ, woman, ZWJ, girl: one grapheme of 8 UTF-16 units

test.describe('Unicode text across devices', () => {
	test('[DS5] a draft typed with emoji, ZWJ sequences, accents and RTL text shows exactly on the other device', async ({
		browser,
		apiKey
	}) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Unicode');
		await newSession(a);
		await expect(syncStatus(a)).toHaveText('Synced');
		const b = await device(browser, apiKey);
		await b.goto(a.url());
		const boxA = a.getByRole('textbox', { name: 'Message' });
		const boxB = b.getByRole('textbox', { name: 'Message' });
		await expect(boxB).toBeVisible();

		// "ok 😃", then 😀 typed right after "ok ": both emoji start with the same UTF-16 unit.
		await boxA.click();
		await a.keyboard.type('ok ');
		await a.keyboard.insertText('😃');
		await expect(boxB).toHaveValue('ok 😃');
		await a.keyboard.press('ArrowLeft');
		await a.keyboard.insertText('😀');
		await expect(boxA).toHaveValue('ok 😀😃');
		await expect(boxB).toHaveValue('ok 😀😃');

		// Deleting the first of the two, and typing it again.
		await a.keyboard.press('Backspace');
		await expect(boxB).toHaveValue('ok 😃');
		await a.keyboard.insertText('😀');
		await expect(boxB).toHaveValue('ok 😀😃');

		// At the end: a ZWJ family, a skin tone added to a thumb, a flag, an accent typed as a
		// combining mark, Hebrew and Arabic.
		await a.keyboard.press('End');
		await a.keyboard.insertText(` ${family} 👍`);
		await a.keyboard.insertText('🏽');
		await a.keyboard.insertText(' 🇩🇪 cafe');
		await a.keyboard.insertText('\u0301');
		await a.keyboard.type(' שלום مرحبا');
		const typed = `ok 😀😃 ${family} 👍🏽 🇩🇪 cafe\u0301 שלום مرحبا`;
		await expect(boxA).toHaveValue(typed);
		await expect(boxB).toHaveValue(typed);

		// Sent from A, the message arrives whole in B's conversation, and titles the session.
		await boxA.press('Enter');
		const logB = b.getByRole('log', { name: 'Conversation' });
		await expect(logB.getByRole('article', { name: 'You' })).toHaveCount(1);
		await expect(logB.getByRole('article', { name: 'You' })).toContainText(typed);
		await expect(logB).not.toContainText('\ufffd');
		await expect(
			b.getByRole('region', { name: 'Sessions' }).getByRole('link', { name: typed, exact: true })
		).toBeVisible();
		await expect(boxB).toHaveValue('');
	});

	test('[TX1] the preview of a long message ends between graphemes', async ({
		browser,
		apiKey,
		tether
	}) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Long text');
		await newSession(a);
		// The preview shows 4000 UTF-16 units; the family emoji spans units 3996 to 4003.
		const start = 'a'.repeat(3996);
		// A short answer, so the message stays on screen (the list draws only what is visible).
		tether.fake.script({ blocks: [{ type: 'text', text: 'Noted.' }] });
		await send(a, `${start}${family} and more`);
		const message = a
			.getByRole('log', { name: 'Conversation' })
			.getByRole('article', { name: 'You' })
			.last();
		await expect(message.getByRole('button', { name: /Show all/ })).toBeVisible();
		await expect(message).toContainText(`${start}…`);
		await message.getByRole('button', { name: /Show all/ }).click();
		await expect(message).toContainText(`${start}${family} and more`);
	});
});
