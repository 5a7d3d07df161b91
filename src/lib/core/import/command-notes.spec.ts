/**
 * [LB28] A Claude Code command note stays a note through import, the document, the rows, the
 * request history and both exports; a tool call the person rejected stays declined.
 */
import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { exportedSession } from '../export/from-rows.js';
import { sessionJson } from '../export/json.js';
import { sessionMarkdown } from '../export/markdown.js';
import { buildHistory } from '../history.js';
import { messageRow } from '../projection.js';
import type { MessageRow, SessionRow } from '../rows.js';
import * as shapes from '../shapes.js';
import { claudeCodeSession } from './from-claude-code.js';
import { readClaudeCodeTranscript } from './read-transcript.js';
import { readTetherExport } from './tether-json.js';
import { writeSession } from './write-session.js';

const fixture = new URL(
	'../../../../tests/fixtures/claude-code/spotter-short.jsonl',
	import.meta.url
);

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
	yield bytes;
}

/** The fixture imported as the app does it, read back as the rows the app and server use. */
async function importedRows(): Promise<MessageRow[]> {
	const result = await readClaudeCodeTranscript(once(readFileSync(fixture)));
	const [imported] = result.sessions;
	if (!imported) throw new Error('the fixture holds no session');
	const doc = new Y.Doc();
	let n = 0;
	writeSession(doc, 'p', claudeCodeSession(imported), () => `id${n++}`);
	return shapes
		.messages(doc)
		.toArray()
		.map((entry, seq) => messageRow('s', seq, entry));
}

/** The rows exported as a Tether session file and read back as an import would. */
function exportedAndReadBack(rows: MessageRow[]) {
	const session: SessionRow = {
		id: 's',
		projectId: 'p',
		title: 'Spotter',
		renamed: false,
		createdAt: 0,
		lastActivity: 0
	};
	const exported = exportedSession(session, rows);
	const read = readTetherExport(JSON.parse(sessionJson(exported, 1)));
	if (!read.ok || read.value.format !== 'tether.session') throw new Error('not read back');
	return { exported, readBack: read.value.session };
}

describe('[LB28] command notes of an imported transcript', () => {
	it('are notes in the rows, and the answers reply to prompts', async () => {
		const rows = await importedRows();
		const notes = rows.filter((row) => row.kind === 'command');
		expect(notes.map((row) => row.text.split('\n')[0])).toEqual(
			expect.arrayContaining([expect.stringContaining('/model')])
		);
		const ids = new Map(rows.map((row) => [row.id, row]));
		for (const row of rows) {
			if (row.replyTo !== undefined) expect(ids.get(row.replyTo)?.kind).toBeUndefined();
		}
	});

	it('are never sent to Claude', async () => {
		const rows = await importedRows();
		const next: MessageRow = {
			id: 'next',
			sessionId: 's',
			seq: rows.length,
			role: 'user',
			text: 'continue please',
			createdAt: 0
		};
		const history = buildHistory([...rows, next], 'next');
		const said = JSON.stringify(history);
		expect(said).not.toContain('/model');
		expect(said).not.toContain('Kept model as');
		const last = history.at(-1);
		expect(last?.role).toBe('user');
		expect(last?.content.at(-1)).toEqual({ type: 'text', text: 'continue please' });
	});

	it('stay notes through a JSON export and import, and are quoted in Markdown', async () => {
		const rows = await importedRows();
		const { exported, readBack } = exportedAndReadBack(rows);
		expect(readBack.messages.filter((m) => m.kind === 'command').length).toBe(
			rows.filter((row) => row.kind === 'command').length
		);

		const md = sessionMarkdown(exported);
		expect(md).toMatch(/^> .*\/model/m);
		expect(md).not.toMatch(/^## You · .*\n\n.*\/model/m);
	});

	it('a tool call the person rejected in Claude Code is declined, through a JSON round trip', async () => {
		const rows = await importedRows();
		const calls = rows.flatMap((row) => row.blocks ?? []).filter((b) => b.type === 'tool_use');
		const rejected = calls.filter(
			(b) => b.result?.startsWith("The user doesn't want to proceed") ?? false
		);
		expect(rejected.length).toBeGreaterThan(0);
		for (const call of calls) {
			expect(call.approval).toBe(rejected.includes(call) ? 'denied' : undefined);
		}
		const back = exportedAndReadBack(rows).readBack.messages.flatMap((m) => m.blocks ?? []);
		expect(back.filter((b) => b.type === 'tool_use' && b.approval === 'denied')).toHaveLength(
			rejected.length
		);
	});

	it('refuses an unknown kind in a Tether file', () => {
		const file = {
			format: 'tether.session',
			version: 1,
			exportedAt: 1,
			session: {
				title: 't',
				renamed: false,
				createdAt: 0,
				lastActivity: 0,
				messages: [{ id: 'm', role: 'user', text: 'x', createdAt: 0, kind: 'shell' }]
			}
		};
		expect(readTetherExport(file)).toEqual({
			ok: false,
			error: expect.stringContaining('unknown kind')
		});
	});
});
