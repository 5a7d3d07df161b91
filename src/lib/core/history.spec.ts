import { describe, expect, it } from 'vitest';
import { buildHistory, interruptedToolResult, repair, type ApiMessage } from './history.js';
import type { BlockRow, MessageRow } from './rows.js';

let seq = 0;
const user = (text: string, id = `u${++seq}`): MessageRow => ({
	id,
	sessionId: 's',
	seq: seq,
	role: 'user',
	text,
	createdAt: seq
});
const answer = (
	blocks: BlockRow[],
	status: MessageRow['status'] = 'done',
	id = `a${++seq}`
): MessageRow => ({
	id,
	sessionId: 's',
	seq,
	role: 'assistant',
	text: '',
	createdAt: seq,
	status,
	blocks
});
const text = (t: string): BlockRow => ({ type: 'text', text: t });
const tool = (id: string, result?: string, isError = false): BlockRow => ({
	type: 'tool_use',
	id,
	name: 'read_file',
	input: { path: 'a.txt' },
	status: result === undefined ? 'running' : isError ? 'error' : 'done',
	...(result === undefined ? {} : { result, isError })
});

/** The rules the API enforces (and the fake upstream checks). */
function assertAcceptable(messages: ApiMessage[]): void {
	expect(messages[0]?.role).toBe('user');
	for (let i = 0; i < messages.length; i++) {
		const m = messages[i]!;
		expect(m.content.length).toBeGreaterThan(0);
		if (i > 0) expect(m.role).not.toBe(messages[i - 1]!.role);
		for (const b of m.content) if (b.type === 'text') expect(b.text.trim()).not.toBe('');
		const uses = m.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
		const next = messages[i + 1];
		const results = new Set(
			(next?.content ?? []).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : []))
		);
		for (const id of uses) expect(results.has(id)).toBe(true);
		const previousUses = new Set(
			(messages[i - 1]?.content ?? []).flatMap((b) => (b.type === 'tool_use' ? [b.id] : []))
		);
		for (const b of m.content)
			if (b.type === 'tool_result') expect(previousUses.has(b.tool_use_id)).toBe(true);
	}
}

describe('[RN3] the request history', () => {
	it('[RN3] sends the conversation in order, up to the message being answered', () => {
		const rows = [
			user('first', 'u-a'),
			answer([text('one')]),
			user('second', 'u-b'),
			user('later')
		];
		expect(buildHistory(rows, 'u-b')).toEqual([
			{ role: 'user', content: [{ type: 'text', text: 'first' }] },
			{ role: 'assistant', content: [{ type: 'text', text: 'one' }] },
			{ role: 'user', content: [{ type: 'text', text: 'second' }] }
		]);
	});

	it('[RN3] leaves out answers that did not complete, keeps stopped ones', () => {
		const rows = [
			user('q1'),
			answer([text('partial')], 'interrupted'),
			answer([text('')], 'failed'),
			answer([text('half, stopped')], 'stopped'),
			user('q2')
		];
		const history = buildHistory(rows);
		expect(history.map((m) => m.content.map((b) => (b.type === 'text' ? b.text : b.type)))).toEqual(
			[['q1'], ['half, stopped'], ['q2']]
		);
		assertAcceptable(history);
	});

	it('[RN3] queued messages of the person merge into one turn', () => {
		const history = buildHistory([user('a'), user('b'), user('c')]);
		expect(history).toHaveLength(1);
		expect(history[0]!.content).toHaveLength(3);
	});

	it('[RN3] thinking goes back only with its signature', () => {
		const history = buildHistory([
			user('q'),
			answer([
				{ type: 'thinking', thinking: 'hmm', signature: 'sig' },
				{ type: 'thinking', thinking: 'unsigned' },
				text('a')
			]),
			user('q2')
		]);
		expect(history[1]!.content).toEqual([
			{ type: 'thinking', thinking: 'hmm', signature: 'sig' },
			{ type: 'text', text: 'a' }
		]);
	});
});

describe('[RN4] history repair (R21)', () => {
	it('[RN4] a tool call with its record becomes tool_use then tool_result', () => {
		const history = buildHistory([
			user('q'),
			answer([text('let me look'), tool('t1', 'contents')]),
			answer([text('done')])
		]);
		expect(history[2]).toEqual({
			role: 'user',
			content: [{ type: 'tool_result', tool_use_id: 't1', content: 'contents' }]
		});
		assertAcceptable(history);
	});

	it('[RN4] a dangling tool_use (crash, another device) gets an error result', () => {
		const history = buildHistory([user('q'), answer([tool('t1'), tool('t2', 'ok')]), user('next')]);
		expect(history[2]).toEqual({
			role: 'user',
			content: [
				{ type: 'tool_result', tool_use_id: 't1', content: interruptedToolResult, is_error: true },
				{ type: 'tool_result', tool_use_id: 't2', content: 'ok' },
				{ type: 'text', text: 'next' }
			]
		});
		assertAcceptable(history);
	});

	it('[RN4] a tool_use followed by anything but its result gets an error result first', () => {
		const repaired = repair([
			{ role: 'user', content: [{ type: 'text', text: 'q' }] },
			{ role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'n', input: {} }] },
			{ role: 'user', content: [{ type: 'text', text: 'next' }] }
		]);
		expect(repaired[2]).toEqual({
			role: 'user',
			content: [
				{ type: 'tool_result', tool_use_id: 'x', content: interruptedToolResult, is_error: true },
				{ type: 'text', text: 'next' }
			]
		});
		const atEnd = repair(repaired.slice(0, 2));
		expect(atEnd[2]?.content).toEqual([
			{ type: 'tool_result', tool_use_id: 'x', content: interruptedToolResult, is_error: true }
		]);
	});

	it('[RN4] any seeded sequence of raw API messages repairs to an acceptable one', () => {
		let state = 11;
		const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (let round = 0; round < 500; round++) {
			const messages: ApiMessage[] = [];
			const ids: string[] = [];
			for (let i = 0; i < 1 + Math.floor(rand() * 8); i++) {
				const role = rand() < 0.5 ? 'user' : 'assistant';
				const content: ApiMessage['content'] = [];
				for (let j = 0; j < 1 + Math.floor(rand() * 3); j++) {
					const r = rand();
					if (r < 0.4) content.push({ type: 'text', text: `t${i}${j}` });
					else if (role === 'assistant') {
						const id = `x${round}-${i}-${j}`;
						ids.push(id);
						content.push({ type: 'tool_use', id, name: 'n', input: {} });
					} else {
						const id = ids[Math.floor(rand() * (ids.length + 1))] ?? 'ghost';
						content.push({ type: 'tool_result', tool_use_id: id, content: 'r' });
					}
				}
				messages.push({ role, content });
			}
			const repaired = repair(messages);
			if (repaired.length > 0) assertAcceptable(repaired);
		}
	});

	it('[RN4] results without their tool_use are dropped, answers before any question too', () => {
		const repaired = repair([
			{ role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'n', input: {} }] },
			{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'r' }] },
			{
				role: 'user',
				content: [
					{ type: 'tool_result', tool_use_id: 'ghost', content: 'r' },
					{ type: 'text', text: 'hi' }
				]
			}
		]);
		expect(repaired).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
	});

	it('[RN4] any seeded mix of messages, statuses and tool records repairs to an acceptable history', () => {
		let state = 7;
		const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const statuses: MessageRow['status'][] = [
			'done',
			'stopped',
			'interrupted',
			'failed',
			undefined
		];
		for (let round = 0; round < 300; round++) {
			const rows: MessageRow[] = [];
			const count = 1 + Math.floor(rand() * 10);
			for (let i = 0; i < count; i++) {
				if (rand() < 0.45) rows.push(user(rand() < 0.1 ? '   ' : `q${i}`));
				else {
					const blocks: BlockRow[] = [];
					const n = Math.floor(rand() * 4);
					for (let j = 0; j < n; j++) {
						const r = rand();
						if (r < 0.4) blocks.push(text(rand() < 0.2 ? '' : `t${j}`));
						else if (r < 0.8)
							blocks.push(tool(`r${round}-${i}-${j}`, rand() < 0.5 ? 'out' : undefined));
						else blocks.push({ type: 'other', raw: { type: 'server_tool_use' } });
					}
					rows.push(answer(blocks, statuses[Math.floor(rand() * statuses.length)]));
				}
			}
			const history = buildHistory(rows);
			if (history.length > 0) assertAcceptable(history);
		}
	});
});
