import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { addBlock, blockText, finishAnswer, setAsk, startAnswer } from '../core/answers.js';
import { projectDoc, sessionDoc } from '../core/doc-names.js';
import type { ExportedProject, ExportedSession } from '../core/export/schema.js';
import { projectJson, sessionJson } from '../core/export/json.js';
import { writeFile } from '../core/files.js';
import { readImportFile, type FileRead, type ImportFile } from '../core/import/read-file.js';
import * as shapes from '../core/shapes.js';
import { TetherDb } from './db.js';
import { DocStore } from './doc-store.js';
import { importProject, importSessions, projectForExport, sessionForExport } from './library.js';
import * as projects from './projects.js';
import * as sessions from './sessions.js';

let counter = 0;
const opened: { db: TetherDb; store: DocStore }[] = [];

function openStore() {
	const db = new TetherDb(`library-${++counter}`);
	const store = new DocStore(db);
	opened.push({ db, store });
	return { db, store };
}

afterEach(async () => {
	for (const { db, store } of opened.splice(0)) {
		store.destroy();
		db.close();
		await db.delete();
	}
});

function fileOf(name: string, content: string | Uint8Array, chunk = 7): ImportFile {
	const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
	return {
		name,
		size: bytes.byteLength,
		stream: () =>
			new ReadableStream<Uint8Array>({
				start(controller) {
					// Small chunks: characters and lines are split between them.
					for (let i = 0; i < bytes.byteLength; i += chunk) {
						controller.enqueue(bytes.slice(i, i + chunk));
					}
					controller.close();
				}
			})
	};
}

/** Ids are new on import: compare with each id replaced by its message's position. */
function withoutIds(session: ExportedSession): ExportedSession {
	const position = new Map(session.messages.map((m, i) => [m.id, `#${i}`]));
	return {
		...session,
		messages: session.messages.map((m) => ({
			...m,
			id: position.get(m.id)!,
			...(m.replyTo !== undefined ? { replyTo: position.get(m.replyTo) ?? m.replyTo } : {})
		}))
	};
}

/** A project with a session holding a prompt and a finished answer with a tool call. */
async function sampleProject(store: DocStore): Promise<{ projectId: string; sessionId: string }> {
	const projectId = await projects.create(store, 'Café ☕');
	await projects.setInfo(store, projectId, 'Remember: tests first.');
	await store.change(projectDoc(projectId), (doc) => writeFile(doc, 'notes/a.md', '# A\n'));
	const created = sessions.create(store, projectId);
	created.release();
	await created.saved;
	await sessions.send(store, projectId, created.id, 'Read a.md 👩‍👩‍👧', 1000);
	await store.change(sessionDoc(created.id), (doc) => {
		const prompt = shapes.messages(doc).get(0);
		setAsk(prompt, 'answered');
		const promptId = prompt.get('id') as string;
		const answer = startAnswer(doc, {
			id: 'a-1',
			replyTo: promptId,
			model: 'claude-test',
			createdAt: 2000
		});
		const tool = addBlock(answer, { type: 'tool_use', id: 'toolu_1', name: 'read_file' });
		tool.set('input', { path: 'notes/a.md' });
		tool.set('status', 'done');
		tool.set('result', '# A\n');
		blockText(addBlock(answer, { type: 'text' }))!.insert(0, 'It says A.');
		finishAnswer(answer, {
			status: 'done',
			stopReason: 'end_turn',
			usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 }
		});
	});
	return { projectId, sessionId: created.id };
}

describe('library: import and export', () => {
	it('[LB5] import(export(session)) equals the session apart from new ids', async () => {
		const { store } = openStore();
		const { projectId, sessionId } = await sampleProject(store);
		const before = (await sessionForExport(store, sessionId))!;
		expect(before.messages).toHaveLength(2);
		const read = await readImportFile(fileOf('s.json', sessionJson(before)));
		expect(read.ok && read.kind).toBe('sessions');
		const {
			ids: [id]
		} = await importSessions(
			store,
			projectId,
			(read as Extract<FileRead, { kind: 'sessions' }>).sessions
		);
		expect(id).not.toBe(sessionId);
		const after = (await sessionForExport(store, id!))!;
		expect(withoutIds(after)).toEqual(withoutIds(before));
		expect(after.messages[0]!.id).not.toBe(before.messages[0]!.id);
	});

	it('[LB5] import(export(project)) equals the project apart from new ids', async () => {
		const { store } = openStore();
		const { projectId } = await sampleProject(store);
		const before = (await projectForExport(store, projectId))!;
		const read = await readImportFile(fileOf('p.json', projectJson(before)));
		expect(read.ok && read.kind).toBe('project');
		const id = await importProject(store, (read as Extract<FileRead, { kind: 'project' }>).project);
		expect(id).not.toBe(projectId);
		const after = (await projectForExport(store, id))!;
		const normal = (p: ExportedProject) => ({ ...p, sessions: p.sessions.map(withoutIds) });
		expect(normal(after)).toEqual(normal(before));
		expect(after.files).toEqual({ 'notes/a.md': '# A\n' });
	});

	it('[LB6] a Claude Code transcript imports with its title, messages and tool calls', async () => {
		const { store, db } = openStore();
		const projectId = await projects.create(store, 'Imports');
		const text = readFileSync(
			new URL('../../../tests/fixtures/claude-code/simonw-sample_session.jsonl', import.meta.url)
		);
		const read = await readImportFile(fileOf('t.jsonl', new Uint8Array(text), 4096));
		if (!read.ok || read.kind !== 'sessions') throw new Error('not read');
		expect(read.report).toMatchObject({ sessions: 1, toolCalls: 2 });
		const {
			ids: [id]
		} = await importSessions(store, projectId, read.sessions);
		const row = await db.sessions.get(id!);
		expect(row).toMatchObject({
			title: 'Test session for JSONL parsing',
			renamed: true,
			projectId
		});
		const messages = await db.messages.where('sessionId').equals(id!).sortBy('seq');
		expect(messages.filter((m) => m.role === 'assistant')).toHaveLength(3);
		const tools = messages.flatMap((m) => m.blocks ?? []).filter((b) => b.type === 'tool_use');
		expect(tools).toHaveLength(2);
		// Nothing asks for an answer: an import never starts a run.
		expect(messages.some((m) => m.ask === 'waiting')).toBe(false);
	});

	it('[LB30] a transcript imported again into the same project adds nothing; one that grew, or was deleted, imports', async () => {
		const { store, db } = openStore();
		const projectId = await projects.create(store, 'Imports');
		const other = await projects.create(store, 'Elsewhere');
		const text = readFileSync(
			new URL('../../../tests/fixtures/claude-code/simonw-sample_session.jsonl', import.meta.url),
			'utf8'
		);
		const read = async (content: string) => {
			const file = await readImportFile(fileOf('t.jsonl', content));
			if (!file.ok || file.kind !== 'sessions') throw new Error('not read');
			return file.sessions;
		};
		const first = await importSessions(store, projectId, await read(text));
		expect(first).toMatchObject({ ids: [expect.any(String)], alreadyImported: 0 });
		// The same file again, and twice in one import: nothing new.
		const again = await importSessions(store, projectId, [
			...(await read(text)),
			...(await read(text))
		]);
		expect(again).toEqual({ ids: [], messages: 0, alreadyImported: 2 });
		expect(await db.sessions.where('projectId').equals(projectId).count()).toBe(1);
		// Another project has its own copy.
		expect((await importSessions(store, other, await read(text))).ids).toHaveLength(1);
		// The transcript as it was earlier (fewer messages) is not the same one.
		const lines = text.trimEnd().split('\n');
		const earlier = lines.slice(0, -4).join('\n');
		expect((await importSessions(store, projectId, await read(earlier))).ids).toHaveLength(1);
		// Deleted, it can be imported again.
		await sessions.remove(store, projectId, first.ids[0]!);
		expect((await importSessions(store, projectId, await read(text))).ids).toHaveLength(1);
	});

	it('[LB7] bad files get an error in words', async () => {
		const cases: [ImportFile, RegExp][] = [
			[fileOf('empty.json', ''), /is empty/],
			[fileOf('bin.json', new Uint8Array([0x7b, 0, 1, 2])), /not a text file/],
			[
				fileOf(
					'cut.json',
					sessionJson({
						title: 't',
						renamed: false,
						createdAt: 1,
						lastActivity: 1,
						messages: []
					}).slice(0, 40)
				),
				/not valid JSON/
			],
			[fileOf('other.json', '{"hello": "world"}'), /not a Tether export/],
			[fileOf('v9.json', '{"format": "tether.session", "version": 9}'), /version 9/],
			[fileOf('bad.jsonl', 'not json\nnor this\n'), /not a Claude Code transcript/],
			[fileOf('latin1.json', new Uint8Array([0x22, 0xe9, 0x22])), /not UTF-8/],
			[{ name: 'huge.jsonl', size: 2 ** 40, stream: () => new ReadableStream() }, /larger than/],
			[
				fileOf(
					'future.json',
					sessionJson({
						title: 't',
						renamed: false,
						createdAt: 9e15,
						lastActivity: 9e15,
						messages: []
					})
				),
				/session\.createdAt is not a date between 1970 and today/
			],
			[
				fileOf(
					'negative.json',
					sessionJson({
						title: 't',
						renamed: false,
						createdAt: 1,
						lastActivity: 1,
						messages: [
							{
								id: 'a',
								role: 'assistant',
								text: '',
								createdAt: 1,
								usage: { input: 5, output: -10, cacheRead: 0, cacheWrite: 0 }
							}
						]
					})
				),
				/usage\.output is not a count of tokens/
			],
			// An exported Markdown file dropped by mistake says what can be imported.
			[
				fileOf('Plan.md', '# Plan\n\n## You · 2026-01-01\n\nhello'),
				/choose a Tether export \(\.json\) or a Claude Code transcript \(\.jsonl\)/
			],
			[
				fileOf(
					'agent.jsonl',
					'{"type":"user","isSidechain":true,"uuid":"u1","parentUuid":null,"sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"find the bug"}}\n'
				),
				/only a sub-agent's conversation \(1 line\)/
			]
		];
		for (const [file, error] of cases) {
			const read = await readImportFile(file);
			expect(read.ok, file.name).toBe(false);
			if (!read.ok) expect(read.error).toMatch(error);
			if (!read.ok) expect(read.error).toContain(`"${file.name}"`);
		}
	});
});
