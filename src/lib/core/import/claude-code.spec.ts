import { describe, expect, it } from 'vitest';
import { parseClaudeCodeLines } from './claude-code.js';
import type {
	ImportedAssistantMessage,
	ImportedMessage,
	ImportedSession,
	ImportedToolCall
} from './transcript.js';

// Lines shaped like Claude Code 2.1 writes them, with only the fields a rule needs.
let clock = Date.parse('2026-01-01T10:00:00Z');
const nextTime = () => new Date((clock += 1000)).toISOString();

function line(fields: Record<string, unknown>): string {
	return JSON.stringify({
		isSidechain: false,
		sessionId: 's1',
		cwd: '/home/ada/project',
		timestamp: nextTime(),
		...fields
	});
}

function prompt(uuid: string, parentUuid: string | null, content: unknown, extra = {}): string {
	return line({ type: 'user', uuid, parentUuid, message: { role: 'user', content }, ...extra });
}

function answer(
	uuid: string,
	parentUuid: string | null,
	id: string,
	content: unknown[],
	extra: Record<string, unknown> = {}
): string {
	const { usage, stop_reason, ...rest } = extra;
	return line({
		type: 'assistant',
		uuid,
		parentUuid,
		message: {
			id,
			role: 'assistant',
			model: 'claude-opus-4-6',
			content,
			stop_reason: stop_reason ?? null,
			usage: usage ?? { input_tokens: 1, output_tokens: 1 }
		},
		...rest
	});
}

function result(uuid: string, parentUuid: string, toolUseId: string, content: unknown, extra = {}) {
	return prompt(
		uuid,
		parentUuid,
		[{ type: 'tool_result', tool_use_id: toolUseId, content }],
		extra
	);
}

function progress(uuid: string, parentUuid: string | null): string {
	return line({ type: 'progress', uuid, parentUuid, data: { type: 'hook_progress' } });
}

const text = (t: string) => ({ type: 'text', text: t });
const toolUse = (id: string, name = 'Bash') => ({ type: 'tool_use', id, name, input: { n: id } });

function only(sessions: ImportedSession[]): ImportedSession {
	expect(sessions).toHaveLength(1);
	return sessions[0] as ImportedSession;
}

/** The thread in a form easy to compare: `user:prompt:hi`, `assistant:text,tool_use`. */
function outline(messages: ImportedMessage[]): string[] {
	return messages.map((m) =>
		m.role === 'user'
			? `user:${m.kind}:${m.text}`
			: `assistant:${m.blocks.map((b) => (b.type === 'text' ? b.text : b.type)).join(',')}`
	);
}

const assistants = (s: ImportedSession) =>
	s.messages.filter((m): m is ImportedAssistantMessage => m.role === 'assistant');
const toolCalls = (s: ImportedSession) =>
	assistants(s).flatMap((m) =>
		m.blocks.filter((b): b is ImportedToolCall => b.type === 'tool_use')
	);

describe('Claude Code parser', () => {
	it('[IM2] skips a truncated last line and counts it, importing the rest', () => {
		const last = answer('a1', 'u1', 'm1', [text('the answer')]);
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u1', null, 'question'),
			last,
			prompt('u2', 'a1', 'cut off').slice(0, 60)
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:prompt:question',
			'assistant:the answer'
		]);
		expect(report.skippedLines).toBe(1);
		expect(report.skippedReasons).toEqual({ 'invalid-json': 1 });
	});

	it('[IM2] an empty file gives no session and a report of nothing', () => {
		expect(parseClaudeCodeLines([])).toEqual({
			sessions: [],
			report: {
				sessions: 0,
				messages: 0,
				toolCalls: 0,
				lines: 0,
				skippedLines: 0,
				skippedReasons: {},
				hiddenMetaLines: 0,
				sidechainLines: 0,
				offThreadLines: 0,
				unmatchedToolResults: 0
			}
		});
		expect(parseClaudeCodeLines(['', '  ', '\t']).report.lines).toBe(0);
	});

	it('[IM2] binary garbage gives no session, every line skipped as invalid JSON', () => {
		const garbage = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256);
		const lines = new TextDecoder().decode(garbage).split('\n');
		const nonBlank = lines.filter((l) => l.trim() !== '').length;
		const { sessions, report } = parseClaudeCodeLines(lines);
		expect(sessions).toEqual([]);
		expect(nonBlank).toBeGreaterThan(5);
		expect(report.skippedLines).toBe(nonBlank);
		expect(report.skippedReasons).toEqual({ 'invalid-json': nonBlank });
	});

	it('[IM2] a JSON file of another shape gives no session and says why', () => {
		const packageJson = JSON.stringify({ name: 'x', version: '1.0.0' }, null, 2).split('\n');
		const pretty = parseClaudeCodeLines(packageJson);
		expect(pretty.sessions).toEqual([]);
		expect(pretty.report.skippedReasons).toEqual({ 'invalid-json': packageJson.length });

		const oneLine = parseClaudeCodeLines([
			JSON.stringify({ name: 'x', dependencies: {} }),
			'[{"type":"user"}]',
			'"text"',
			'null'
		]);
		expect(oneLine.sessions).toEqual([]);
		expect(oneLine.report.skippedReasons).toEqual({ 'no-type': 1, 'not-an-object': 3 });
	});

	it('[IM2] a message line of the wrong shape, and a repeated uuid, are skipped and counted', () => {
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u1', null, 'hello'),
			line({ type: 'user', uuid: 'u2', parentUuid: 'u1', message: 'not an object' }),
			line({ type: 'assistant', uuid: 'a0', parentUuid: 'u1', message: { id: 'm0' } }),
			line({ type: 'assistant', uuid: 'a0b', parentUuid: 'u1' }),
			answer('a1', 'u1', 'm1', [text('hi')]),
			prompt('u1', 'a1', 'a copy with a uuid already seen')
		]);
		expect(outline(only(sessions).messages)).toEqual(['user:prompt:hello', 'assistant:hi']);
		expect(report.skippedReasons).toEqual({ 'invalid-message': 3, 'duplicate-uuid': 1 });
		expect(report.skippedLines).toBe(4);
		expect(report.lines).toBe(6);
	});

	it('[IM3] two sessionIds in one file are two sessions, each with its own thread', () => {
		const { sessions, report } = parseClaudeCodeLines([
			prompt('a-u1', null, 'first session', { sessionId: 'A' }),
			prompt('b-u1', null, 'second session', { sessionId: 'B', cwd: '/elsewhere' }),
			answer('a-a1', 'a-u1', 'ma', [text('answer A')], { sessionId: 'A' }),
			answer('b-a1', 'b-u1', 'mb', [text('answer B')], { sessionId: 'B' })
		]);
		expect(sessions.map((s) => [s.sourceSessionId, s.cwd, outline(s.messages)])).toEqual([
			['A', '/home/ada/project', ['user:prompt:first session', 'assistant:answer A']],
			['B', '/elsewhere', ['user:prompt:second session', 'assistant:answer B']]
		]);
		expect(report.sessions).toBe(2);
		expect(report.messages).toBe(4);
	});

	it('[IM3] lines without a sessionId go to the default; a session with no message is left out', () => {
		const noId = JSON.stringify({ type: 'user', uuid: 'u1', message: { content: 'hi' } });
		const { sessions } = parseClaudeCodeLines(
			[noId, progress('p1', null), line({ type: 'progress', uuid: 'p2', sessionId: 'empty' })],
			{ defaultSessionId: 'from-file-name' }
		);
		expect(sessions.map((s) => s.sourceSessionId)).toEqual(['from-file-name']);
	});

	it('[IM4] progress lines are links of the chain (the first prompt points at one)', () => {
		const { sessions } = parseClaudeCodeLines([
			progress('p1', null),
			progress('p2', 'p1'),
			prompt('u1', 'p2', 'start the server'),
			answer('a1', 'u1', 'm1', [toolUse('t1')]),
			progress('p3', 'a1'),
			result('r1', 'a1', 't1', 'started'),
			answer('a2', 'r1', 'm2', [text('It runs.')]),
			progress('p4', 'a2'),
			// Rewound away; it sits between the progress line and the prompt that follows it.
			answer('x1', 'r1', 'mx', [text('abandoned answer')]),
			prompt('u2', 'p4', 'thanks')
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:prompt:start the server',
			'assistant:tool_use',
			'assistant:It runs.',
			'user:prompt:thanks'
		]);
	});

	it('[IM4] a rewound branch is left out and counted; the newest line is the leaf', () => {
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u1', null, 'question'),
			answer('a1', 'u1', 'm1', [text('first try')]),
			prompt('u2', 'a1', 'abandoned follow-up'),
			answer('a2', 'u2', 'm2', [text('abandoned answer')]),
			prompt('u3', 'a1', 'edited follow-up'),
			answer('a3', 'u3', 'm3', [text('kept answer')])
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:prompt:question',
			'assistant:first try',
			'user:prompt:edited follow-up',
			'assistant:kept answer'
		]);
		expect(report.offThreadLines).toBe(2);
	});

	it('[IM4] a summary leaf chooses the branch, unless the conversation went on after it', () => {
		const branches = [
			prompt('u1', null, 'question'),
			answer('a1', 'u1', 'm1', [text('answer')]),
			prompt('u2', 'a1', 'branch one'),
			prompt('u3', 'a1', 'branch two')
		];
		const summary = (leafUuid: string) =>
			JSON.stringify({ type: 'summary', summary: 'S', leafUuid });
		const picked = parseClaudeCodeLines([...branches, summary('u2')]);
		expect(outline(only(picked.sessions).messages).at(-1)).toBe('user:prompt:branch one');

		const wentOn = parseClaudeCodeLines([
			summary('a1'),
			...branches.slice(0, 2),
			prompt('u2', 'a1', 'asked after the summary was written')
		]);
		expect(outline(only(wentOn.sessions).messages).at(-1)).toBe(
			'user:prompt:asked after the summary was written'
		);

		const lastPrompt = parseClaudeCodeLines([
			...branches,
			JSON.stringify({ type: 'last-prompt', lastPrompt: 'x', leafUuid: 'u2', sessionId: 's1' })
		]);
		expect(outline(only(lastPrompt.sessions).messages).at(-1)).toBe('user:prompt:branch one');
	});

	it('[IM4] lines without parent links follow the file order', () => {
		const bare = (type: string, message: unknown) =>
			JSON.stringify({ type, sessionId: 's', message });
		const { sessions } = parseClaudeCodeLines([
			bare('user', { content: 'one' }),
			bare('assistant', { content: [text('two')] }),
			bare('user', { content: 'three' })
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:prompt:one',
			'assistant:two',
			'user:prompt:three'
		]);
	});

	it('[IM5] assistant lines of one response merge by message.id, usage taken once', () => {
		const usage = (output: number) => ({
			input_tokens: 3,
			output_tokens: output,
			cache_read_input_tokens: 100,
			cache_creation_input_tokens: 50
		});
		const { sessions } = parseClaudeCodeLines([
			prompt('u1', null, 'go'),
			answer('a1', 'u1', 'msg_1', [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }], {
				usage: usage(8)
			}),
			answer('a2', 'a1', 'msg_1', [text('Doing it.')], { usage: usage(8) }),
			answer('a3', 'a2', 'msg_1', [toolUse('t1')], { usage: usage(472), stop_reason: 'tool_use' }),
			result('r1', 'a3', 't1', 'done'),
			answer('a4', 'r1', 'msg_2', [text('Finished.')], { stop_reason: 'end_turn' })
		]);
		const [first, second] = assistants(only(sessions));
		expect(first).toEqual({
			role: 'assistant',
			createdAt: expect.any(Number),
			model: 'claude-opus-4-6',
			stopReason: 'tool_use',
			usage: { input: 3, output: 472, cacheRead: 100, cacheWrite: 50 },
			blocks: [
				{ type: 'thinking', thinking: 'hmm', signature: 'sig' },
				{ type: 'text', text: 'Doing it.' },
				{
					type: 'tool_use',
					id: 't1',
					name: 'Bash',
					input: { n: 't1' },
					result: { content: 'done', isError: false, at: expect.any(Number) }
				}
			]
		});
		expect(second?.stopReason).toBe('end_turn');
		expect(only(sessions).messages).toHaveLength(3);
	});

	it('[IM6] parallel tool results each join their own call, wherever their line hangs', () => {
		// As Claude Code writes them: the calls chained one after another, each result pointing
		// at the line of its own call, the next answer continuing from the last result.
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u1', null, 'look around'),
			answer('a1', 'u1', 'm1', [toolUse('t1', 'Glob')]),
			answer('a2', 'a1', 'm1', [toolUse('t2', 'Grep')]),
			answer('a3', 'a2', 'm1', [toolUse('t3', 'Read')]),
			result('r1', 'a1', 't1', 'glob out'),
			result('r3', 'a3', 't3', [text('read out'), { type: 'image', source: { data: 'AAAA' } }]),
			prompt('r2', 'a2', [
				{ type: 'tool_result', tool_use_id: 't2', content: 'no', is_error: true }
			]),
			answer('a4', 'r2', 'm2', [text('Seen.')])
		]);
		const session = only(sessions);
		expect(toolCalls(session).map((c) => [c.name, c.result?.content, c.result?.isError])).toEqual([
			['Glob', 'glob out', false],
			['Grep', 'no', true],
			['Read', 'read out', false]
		]);
		expect(toolCalls(session)[2]?.result?.attachments).toEqual([
			{ type: 'image', source: { data: 'AAAA' } }
		]);
		expect(outline(session.messages)).toEqual([
			'user:prompt:look around',
			'assistant:tool_use,tool_use,tool_use',
			'assistant:Seen.'
		]);
		expect(report.toolCalls).toBe(3);
		expect(report.unmatchedToolResults).toBe(0);
	});

	it('[IM6] a result whose call is not in the session is counted, not shown', () => {
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u1', null, 'hi'),
			result('r1', 'u1', 'toolu_gone', 'orphan'),
			answer('a1', 'r1', 'm1', [text('hello')])
		]);
		expect(outline(only(sessions).messages)).toEqual(['user:prompt:hi', 'assistant:hello']);
		expect(report.unmatchedToolResults).toBe(1);
	});

	it('[IM7] meta lines and meta text are hidden and counted', () => {
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u0', null, 'expanded skill prompt', { isMeta: true }),
			prompt('u1', 'u0', '<system-reminder>be nice</system-reminder>'),
			prompt('u2', 'u1', [text('Caveat: The messages below were generated by the user')]),
			prompt('u3', 'u2', [text('real question'), text('<system-reminder>ctx</system-reminder>')]),
			answer('a1', 'u3', 'm1', [toolUse('t1')]),
			result('r1', 'a1', 't1', 'rejected'),
			prompt('u4', 'r1', [text('[Request interrupted by user for tool use]')]),
			prompt('u5', 'u4', '<local-command-caveat>Caveat: local</local-command-caveat>')
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:prompt:real question',
			'assistant:tool_use'
		]);
		expect(report.hiddenMetaLines).toBe(5);
	});

	it('[IM8] command wrappers and their output become command notes', () => {
		const { sessions, report } = parseClaudeCodeLines([
			prompt(
				'u1',
				null,
				'<command-message>review</command-message>\n<command-name>/review</command-name>\n<command-args>the parser</command-args>'
			),
			prompt('u2', 'u1', '<command-name>/mcp</command-name>\n<command-args></command-args>'),
			prompt('u3', 'u2', '<local-command-stdout>Reconnected.</local-command-stdout>'),
			prompt('u4', 'u3', '<local-command-stdout></local-command-stdout>'),
			line({
				type: 'system',
				subtype: 'local_command',
				uuid: 's1',
				parentUuid: 'u4',
				content:
					'<local-command-stdout>Kept model as \u001b[1mDefault\u001b[22m</local-command-stdout>'
			}),
			prompt('u5', 's1', '<bash-input>ls</bash-input>'),
			prompt('u6', 'u5', '<bash-stdout>a.txt</bash-stdout><bash-stderr></bash-stderr>'),
			line({
				type: 'system',
				subtype: 'turn_duration',
				uuid: 's2',
				parentUuid: 'u6',
				durationMs: 5
			})
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:command:/review the parser',
			'user:command:/mcp',
			'user:command:Reconnected.',
			'user:command:Kept model as Default',
			'user:command:! ls',
			'user:command:a.txt'
		]);
		expect(report.hiddenMetaLines).toBe(1);
	});

	it('[IM9] a compaction boundary is crossed through logicalParentUuid', () => {
		const { sessions } = parseClaudeCodeLines([
			prompt('u1', null, 'before compaction'),
			answer('a1', 'u1', 'm1', [text('old answer')]),
			// Rewound away before compacting: the line just before the boundary is not its parent.
			prompt('ux', 'u1', 'abandoned'),
			line({
				type: 'system',
				subtype: 'compact_boundary',
				uuid: 'cb',
				parentUuid: null,
				logicalParentUuid: 'a1',
				content: 'Conversation compacted',
				compactMetadata: { trigger: 'manual', preTokens: 12000 }
			}),
			prompt('u2', 'cb', 'This session is being continued from a previous conversation.', {
				isCompactSummary: true,
				isVisibleInTranscriptOnly: true
			}),
			prompt('u3', 'u2', 'after compaction'),
			answer('a2', 'u3', 'm2', [text('new answer')])
		]);
		expect(outline(only(sessions).messages)).toEqual([
			'user:prompt:before compaction',
			'assistant:old answer',
			'user:compact-summary:This session is being continued from a previous conversation.',
			'user:prompt:after compaction',
			'assistant:new answer'
		]);
	});

	it('[IM10] sub-agent lines stay out of the main thread and are counted', () => {
		const side = { isSidechain: true, agentId: 'ag1' };
		const { sessions, report } = parseClaudeCodeLines([
			prompt('u1', null, 'delegate this'),
			answer('a1', 'u1', 'm1', [toolUse('t1', 'Task')]),
			prompt('x1', null, 'sub-agent prompt', side),
			answer('x2', 'x1', 'mx', [text('sub-agent answer')], side),
			result('r1', 'a1', 't1', [text('agent report')]),
			answer('a2', 'r1', 'm2', [text('Delegated.')])
		]);
		const session = only(sessions);
		expect(outline(session.messages)).toEqual([
			'user:prompt:delegate this',
			'assistant:tool_use',
			'assistant:Delegated.'
		]);
		expect(toolCalls(session)[0]?.result?.content).toBe('agent report');
		expect(report.sidechainLines).toBe(2);
	});

	it('[IM11] a rename wins over an AI title, which wins over a summary; newest of each', () => {
		const base = [prompt('u1', null, 'hi', { sessionId: 'A' })];
		const titleLine = (type: string, field: string, value: string, sessionId?: string) =>
			JSON.stringify({ type, [field]: value, ...(sessionId ? { sessionId } : {}) });
		const titleOf = (lines: string[]) => only(parseClaudeCodeLines(lines).sessions).title;
		expect(titleOf(base)).toBeUndefined();
		expect(titleOf([titleLine('summary', 'summary', 'S', undefined), ...base])).toBe('S');
		expect(
			titleOf([
				...base,
				titleLine('ai-title', 'aiTitle', 'AI old', 'A'),
				titleLine('summary', 'summary', 'S'),
				titleLine('ai-title', 'aiTitle', 'AI new', 'A')
			])
		).toBe('AI new');
		expect(
			titleOf([
				...base,
				titleLine('custom-title', 'customTitle', 'Mine', 'A'),
				titleLine('ai-title', 'aiTitle', 'AI later', 'A')
			])
		).toBe('Mine');
		expect(titleOf([...base, titleLine('custom-title', 'customTitle', 'For B', 'B')])).toBe(
			undefined
		);
	});

	it('[IM11] in a file of several sessions a summary belongs to the session of its leaf', () => {
		const { sessions } = parseClaudeCodeLines([
			JSON.stringify({ type: 'summary', summary: 'About B', leafUuid: 'b1' }),
			JSON.stringify({ type: 'summary', summary: 'Unknown leaf', leafUuid: 'zz' }),
			prompt('a1', null, 'in A', { sessionId: 'A' }),
			prompt('b1', null, 'in B', { sessionId: 'B' })
		]);
		expect(sessions.map((s) => [s.sourceSessionId, s.title])).toEqual([
			['A', undefined],
			['B', 'About B']
		]);
	});

	it('[IM12] unknown blocks, images and bare strings are kept; missing times are filled', () => {
		const image = {
			type: 'image',
			source: { type: 'base64', media_type: 'image/png', data: 'iVBO' }
		};
		const webSearch = { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} };
		const { sessions } = parseClaudeCodeLines([
			prompt('u1', null, [image, text('what is this?')]),
			answer('a1', 'u1', 'm1', [
				webSearch,
				'a bare string',
				{ type: 'redacted_thinking', data: 'x' }
			]),
			JSON.stringify({
				type: 'user',
				uuid: 'u2',
				parentUuid: 'a1',
				sessionId: 's1',
				message: { content: 'no timestamp' }
			})
		]);
		const session = only(sessions);
		const [question, reply, undated] = session.messages;
		expect(question).toMatchObject({ kind: 'prompt', text: 'what is this?', attachments: [image] });
		expect(reply?.role === 'assistant' && reply.blocks).toEqual([
			{ type: 'unknown', raw: webSearch },
			{ type: 'text', text: 'a bare string' },
			{ type: 'unknown', raw: { type: 'redacted_thinking', data: 'x' } }
		]);
		expect(undated?.createdAt).toBe(reply?.createdAt);
		expect(session.updatedAt).toBe(reply?.createdAt);
	});
});
