import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import * as answers from '../../src/lib/core/answers.js';
import { AnswerWriter } from './answer-writer.js';
import type { HeldDoc } from './docs.js';

function held() {
	const doc = new Y.Doc();
	const entry = answers.startAnswer(doc, { id: 'a1', replyTo: 'm', model: 'x', createdAt: 1 });
	let changes = 0;
	const handle: HeldDoc = {
		doc,
		change: async (apply) => {
			changes++;
			apply(doc);
		},
		release: () => {}
	};
	return { handle, entry, changes: () => changes };
}

afterEach(() => vi.useRealTimers());

describe('[RN1] the answer writer', () => {
	it('[RN1] sends the first piece at once, then batches what arrives within the interval into one change', async () => {
		vi.useFakeTimers();
		const { handle, entry, changes } = held();
		const writer = new AnswerWriter(handle, 'a1', 1000);
		writer.startBlock(0, { type: 'text' });
		writer.appendText(0, 'first');
		await vi.advanceTimersByTimeAsync(0);
		expect(changes()).toBe(1);
		for (const piece of [' two', ' three', ' four']) writer.appendText(0, piece);
		await vi.advanceTimersByTimeAsync(500);
		expect(changes()).toBe(1);
		await vi.advanceTimersByTimeAsync(500);
		expect(changes()).toBe(2);
		expect(answers.blockText(answers.blocksOf(entry).get(0))?.toString()).toBe(
			'first two three four'
		);
		await writer.finish({ status: 'done' });
		expect(entry.get('status')).toBe('done');
		expect(changes()).toBe(3);
	});
});
