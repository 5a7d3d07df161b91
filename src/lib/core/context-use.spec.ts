import { describe, expect, it } from 'vitest';
import { contextUse, describeContextUse, estimateTokens, sessionTokens } from './context-use.js';
import type { MessageRow, Usage } from './rows.js';

let seq = 0;
const you = (text: string): MessageRow => ({
	id: `m${seq}`,
	sessionId: 's',
	seq: seq++,
	role: 'user',
	text,
	createdAt: 0
});
const claude = (
	text: string,
	usage?: Usage,
	status: MessageRow['status'] = 'done'
): MessageRow => ({
	id: `m${seq}`,
	sessionId: 's',
	seq: seq++,
	role: 'assistant',
	text,
	createdAt: 0,
	status,
	...(usage ? { usage } : {})
});
const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0): Usage => ({
	input,
	output,
	cacheRead,
	cacheWrite
});

describe('[LB11] the tokens a session uses', () => {
	it('[LB11] estimates about four characters a token, a surrogate pair being one character', () => {
		expect(estimateTokens('')).toBe(0);
		expect(estimateTokens('abcd')).toBe(1);
		expect(estimateTokens('abcde')).toBe(2);
		// Four emoji are eight UTF-16 units but four characters: one token, not two.
		expect(estimateTokens('😀😀😀😀')).toBe(1);
		// A lone surrogate still counts as a character.
		expect(estimateTokens('\ud83d')).toBe(1);
	});

	it('[LB11] takes the last finished answer whole (input, cache read and written, output)', () => {
		const messages = [
			you('first'),
			claude('old', usage(10, 5)),
			you('second'),
			claude('latest', usage(100, 20, 3000, 400))
		];
		expect(sessionTokens(messages)).toBe(100 + 20 + 3000 + 400);
	});

	it('[LB11] adds an estimate for what was written after it, and skips streaming answers', () => {
		const messages = [
			you('hi'),
			claude('answer', usage(100, 20)),
			you('x'.repeat(400)),
			claude('streaming…', usage(0, 0), 'streaming'),
			claude('failed before anything streamed', undefined, 'failed')
		];
		expect(sessionTokens(messages)).toBe(
			120 + 100 + estimateTokens('streaming…') + estimateTokens('failed before anything streamed')
		);
	});

	it('[LB11] estimates every message when no answer was measured', () => {
		expect(sessionTokens([])).toBe(0);
		expect(sessionTokens([you('a'.repeat(40)), claude('b'.repeat(8), usage(0, 0))])).toBe(12);
	});
});

describe('[LB12] the context meter', () => {
	const messages = [you('q'), claude('a', usage(20_000, 4_000))];

	it('[LB12] says what share of the model window is used', () => {
		const use = contextUse(messages, 200_000);
		expect(use).toEqual({ used: 24_000, window: 200_000, percent: 12, warning: false });
		expect(describeContextUse(use!)).toBe('12% of 200K');
		expect(describeContextUse(contextUse(messages, 1_000_000)!)).toBe('2% of 1M');
	});

	it('[LB12] warns from 80% on, exactly when 80% shows', () => {
		const at = (used: number) => contextUse([claude('a', usage(used, 0))], 200_000);
		expect(at(159_999)).toMatchObject({ percent: 79, warning: false });
		expect(at(160_000)).toMatchObject({ percent: 80, warning: true });
		expect(at(250_000)).toMatchObject({ percent: 125, warning: true });
	});

	it('[LB12] is unknown when the model window is', () => {
		expect(contextUse(messages, null)).toBeUndefined();
		expect(contextUse(messages, undefined)).toBeUndefined();
		expect(contextUse(messages, 0)).toBeUndefined();
	});
});
