import { describe, expect, it } from 'vitest';
import type { MessageRow } from '../core/rows.js';
import { RunEndNotices } from './run-end-notices.js';

const answer = (status: MessageRow['status'], text = 'Hi'): MessageRow => ({
	id: 'a1',
	sessionId: 's1',
	seq: 1,
	role: 'assistant',
	text,
	createdAt: 1,
	status
});

describe('[NT4] notices of answers seen streaming', () => {
	it('announces an answer once, when it ends after the page saw it streaming', () => {
		const notices = new RunEndNotices('p1', 's1');
		expect(notices.due([answer('streaming')], 'Trip')).toEqual([]);
		const due = notices.due([answer('done', 'Go north.')], 'Trip');
		expect(due.map((n) => [n.title, n.body, n.url])).toEqual([
			['Claude answered in Trip', 'Go north.', '/p/p1/s/s1']
		]);
		expect(notices.due([answer('done', 'Go north.')], 'Trip')).toEqual([]);
	});

	it('says nothing of answers that had ended before the page opened, or that were stopped', () => {
		const notices = new RunEndNotices('p1', 's1');
		expect(notices.due([answer('done')], 'Trip')).toEqual([]);
		notices.due([{ ...answer('streaming'), id: 'a2' }], 'Trip');
		expect(notices.due([{ ...answer('stopped'), id: 'a2' }], 'Trip')).toEqual([]);
	});
});
