import { describe, expect, it } from 'vitest';
import type { MessageRow, SessionRow } from '../rows.js';
import { exportFileName } from './file-name.js';
import { exportedSession } from './from-rows.js';
import { sessionJson } from './json.js';
import { demoteHeadings, messageMarkdown, sessionMarkdown } from './markdown.js';
import type { ExportedMessage } from './schema.js';

const session: SessionRow = {
	id: 's1',
	projectId: 'p1',
	title: 'Plan the release',
	renamed: false,
	createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
	lastActivity: Date.UTC(2026, 0, 2, 4, 0, 0)
};

const rows: MessageRow[] = [
	{
		id: 'a1',
		sessionId: 's1',
		seq: 1,
		role: 'assistant',
		text: 'Done.',
		createdAt: session.createdAt + 2000,
		replyTo: 'u1',
		status: 'streaming',
		model: 'claude-test',
		blocks: [
			{ type: 'thinking', thinking: 'hmm' },
			{
				type: 'tool_use',
				id: 'toolu_1',
				name: 'read_file',
				input: { path: 'a.md' },
				status: 'done',
				result: 'has ``` inside'
			},
			{ type: 'tool_use', id: 'toolu_2', name: 'write<file>', input: {}, status: 'running' },
			{ type: 'text', text: 'Done.' }
		]
	},
	{
		id: 'u1',
		sessionId: 's1',
		seq: 0,
		role: 'user',
		text: 'Read a.md 👩‍👩‍👧',
		createdAt: session.createdAt + 1000,
		ask: 'running',
		attempt: 2
	}
];

describe('export', () => {
	it('[LB1] a session in export shape: ordered, settled, no device-local fields', () => {
		const exported = exportedSession(session, rows);
		expect(exported.messages.map((m) => m.id)).toEqual(['u1', 'a1']);
		expect(exported.messages[0]).toEqual({
			id: 'u1',
			role: 'user',
			text: 'Read a.md 👩‍👩‍👧',
			createdAt: session.createdAt + 1000,
			ask: 'answered',
			attempt: 2
		});
		expect(exported.messages[1]!.status).toBe('interrupted');
		expect(exported.messages[1]!.blocks![2]).toMatchObject({ status: 'error', isError: true });
		expect(JSON.stringify(exported)).not.toContain('sessionId');
	});

	it('[LB2] JSON carries the format and version', () => {
		const file = JSON.parse(sessionJson(exportedSession(session, rows), 42));
		expect(file).toMatchObject({ format: 'tether.session', version: 1, exportedAt: 42 });
		expect(file.session.title).toBe('Plan the release');
	});

	it('[LB3] Markdown: title, dates, headings, tool calls as <details>, fences that hold', () => {
		const md = sessionMarkdown(exportedSession(session, rows));
		expect(md.startsWith('# Plan the release\n\nCreated 2026-01-02T03:04:05Z')).toBe(true);
		expect(md).toContain('## You · 2026-01-02T03:04:06Z\n\nRead a.md 👩‍👩‍👧');
		expect(md).toContain('<details>\n<summary>Tool: read_file</summary>');
		expect(md).toContain('````\nhas ``` inside\n````');
		expect(md).toContain('<summary>Tool: write&lt;file&gt; (error)</summary>');
		expect(md).toContain('<summary>Thinking</summary>');
		expect(md.endsWith('</details>\n\nDone.\n')).toBe(true);
	});

	it('[LB3] one message without a heading', () => {
		expect(messageMarkdown(exportedSession(session, rows).messages[0]!)).toBe('Read a.md 👩‍👩‍👧');
	});

	it('[LB3] headings in message text go below the message heading, never inside code fences', () => {
		const text = [
			'# Plan',
			'Intro #not-a-heading',
			'   ## Steps 🚀',
			'#hashtag',
			'##### Deep',
			'```md',
			'# inside a fence',
			'```',
			'~~~~',
			'# inside a tilde fence',
			'~~~',
			'# still inside (the closing fence is shorter)',
			'~~~~',
			'#',
			'    # indented code'
		].join('\n');
		expect(demoteHeadings(text, 2).split('\n')).toEqual([
			'### Plan',
			'Intro #not-a-heading',
			'   #### Steps 🚀',
			'#hashtag',
			'###### Deep',
			'```md',
			'# inside a fence',
			'```',
			'~~~~',
			'# inside a tilde fence',
			'~~~',
			'# still inside (the closing fence is shorter)',
			'~~~~',
			'###',
			'    # indented code'
		]);
		// "``` `x` ```" is inline code, not a fence: what follows is still text.
		expect(demoteHeadings('``` `x` ```\n# After', 2)).toBe('``` `x` ```\n### After');
		const message: ExportedMessage = {
			id: 'm',
			role: 'assistant',
			text: '# Answer',
			createdAt: 0,
			blocks: [{ type: 'text', text: '# Answer' }]
		};
		expect(messageMarkdown(message, 2)).toBe('## Claude · 1970-01-01T00:00:00Z\n\n### Answer');
		// Copied on its own, a message keeps its text as it is.
		expect(messageMarkdown(message)).toBe('# Answer');
	});

	it('[LB4] file names keep letters of any script and drop what file systems refuse', () => {
		expect(exportFileName('Plan the release', 'md')).toBe('Plan-the-release.md');
		expect(exportFileName('Café: a/b\\c?*<>|"', 'json')).toBe('Café-a-b-c.json');
		expect(exportFileName('日本語 👩‍👩‍👧', 'json')).toBe('日本語-👩‍👩‍👧.json');
		expect(exportFileName('...', 'md')).toBe('tether-export.md');
		const long = exportFileName('👩‍👩‍👧'.repeat(40), 'md');
		expect(long.length).toBeLessThanOrEqual(83);
		expect(long).toMatch(/^(👩‍👩‍👧)+\.md$/u);
	});
});
