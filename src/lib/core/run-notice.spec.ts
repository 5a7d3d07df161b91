import { describe, expect, it } from 'vitest';
import { runNotice } from './run-notice.js';

const base = { projectId: 'p1', sessionId: 's1', answerId: 'a1', text: '' };

describe('[NT1] the notice of an ended run', () => {
	it('says who answered where, with the start of the answer, and opens the session', () => {
		const notice = runNotice({
			...base,
			status: 'done',
			sessionTitle: 'Trip 🗺️',
			text: 'Here is\nthe plan.'
		});
		expect(notice).toEqual({
			title: 'Claude answered in Trip 🗺️',
			body: 'Here is the plan.',
			tag: 'answer-a1',
			url: '/p/p1/s/s1'
		});
	});

	it('says a run failed in the words of its error', () => {
		const notice = runNotice({ ...base, status: 'failed', error: 'The API key was refused.' });
		expect(notice?.title).toBe('The answer in Your session failed');
		expect(notice?.body).toBe('The API key was refused.');
	});

	it('stays silent when the person stopped the run', () => {
		expect(runNotice({ ...base, status: 'stopped' })).toBeUndefined();
	});

	it('cuts a long answer between graphemes', () => {
		const text = '👩‍👩‍👧'.repeat(100);
		const body = runNotice({ ...base, status: 'done', text })!.body;
		expect(body.endsWith('…')).toBe(true);
		expect(text.startsWith(body.slice(0, -1))).toBe(true);
		expect(body.slice(0, -1).length % '👩‍👩‍👧'.length).toBe(0);
	});
});
