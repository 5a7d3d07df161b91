import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startFakeAnthropic, type FakeAnthropic } from '../../tests/fake-anthropic/index.js';
import * as answers from '../../src/lib/core/answers.js';
import { projectDoc, sessionDoc } from '../../src/lib/core/doc-names.js';
import { readFile, writeFile } from '../../src/lib/core/files.js';
import { messageRows } from '../../src/lib/core/projection.js';
import type { BlockRow, MessageRow } from '../../src/lib/core/rows.js';
import * as shapes from '../../src/lib/core/shapes.js';
import {
	decide,
	declinedResult,
	endedResult,
	setAskBeforeChangingFiles,
	type Decision
} from '../../src/lib/core/tools/approval.js';
import { docKey } from '../storage/types.js';
import { MemoryDocs } from '../../tests/lib/memory-docs.js';
import type { AskedApproval } from '../../src/lib/core/approval-notice.js';
import { answerApproval } from '../push/approval-answer.js';
import { RunManager, type RunManagerOptions } from './manager.js';
import { listModels, ModelCache } from './models.js';
import { createRunLog } from './run-log.js';
import { anthropicClient } from './upstream.js';

const key = 'sk-ant-test-tools';
const account = 'acct';

let fake: FakeAnthropic;
let docs: MemoryDocs;
let manager: RunManager;
let db: Database.Database;
let count = 0;

beforeAll(async () => {
	fake = await startFakeAnthropic({ keys: [key] });
	process.env.ANTHROPIC_BASE_URL = fake.url;
});
afterAll(async () => {
	await fake.close();
});
afterEach(async () => {
	await manager.close();
	fake.reset();
});

function makeManager(
	options: Pick<
		RunManagerOptions,
		'maxToolRounds' | 'approvalMs' | 'onApprovalAsked' | 'onApprovalSettled'
	> = {}
) {
	db = new Database(':memory:');
	docs = new MemoryDocs();
	manager = new RunManager({
		docs,
		log: createRunLog(db),
		models: new ModelCache(),
		client: (apiKey, onRetryableStatus) => anthropicClient(apiKey, { onRetryableStatus }),
		listModels,
		idleMs: 5000,
		writeIntervalMs: 5,
		...options
	});
}

/** A session in a project (approval off unless asked for) with a person's message waiting. */
function session(options: { ask?: boolean; files?: Record<string, string> } = {}) {
	const n = ++count;
	const project = docs.doc(docKey(account, projectDoc(`p${n}`)));
	setAskBeforeChangingFiles(project, options.ask ?? false);
	for (const [path, content] of Object.entries(options.files ?? {}))
		writeFile(project, path, content);
	const doc = docs.doc(docKey(account, sessionDoc(`s${n}`)));
	shapes.initSession(doc, `p${n}`, 1);
	shapes.appendMessage(doc, {
		id: `m${n}`,
		role: 'user',
		text: 'Go',
		createdAt: 2,
		ask: 'waiting'
	});
	const ids = { sessionId: `s${n}`, messageId: `m${n}` };
	return {
		...ids,
		doc,
		project,
		ask: () => manager.ask({ accountId: account, apiKey: key, attempt: 1, ...ids })
	};
}

const rows = (doc: Y.Doc): MessageRow[] => messageRows('s', doc);
const toolBlocks = (doc: Y.Doc) =>
	rows(doc).flatMap((r) => (r.blocks ?? []).filter((b) => b.type === 'tool_use')) as Extract<
		BlockRow,
		{ type: 'tool_use' }
	>[];

async function answered(doc: Y.Doc, messageId: string): Promise<MessageRow[]> {
	await expect
		.poll(() => rows(doc).find((r) => r.id === messageId)?.ask, { timeout: 8000 })
		.toBe('answered');
	return rows(doc).filter((r) => r.replyTo === messageId);
}

/** The pending approval's block, once the run waits for it. */
async function pending(doc: Y.Doc): Promise<Y.Map<unknown>> {
	let found: Y.Map<unknown> | undefined;
	await expect
		.poll(
			() => {
				for (const message of shapes.messages(doc)) {
					if (message.get('role') !== 'assistant') continue;
					for (const block of answers.blocksOf(message)) {
						if (block.get('approval') === 'pending') found = block;
					}
				}
				return found !== undefined;
			},
			{ timeout: 8000 }
		)
		.toBe(true);
	return found!;
}

/** A device answers: its change arrives in the server's copy of the session. */
function answer(doc: Y.Doc, block: Y.Map<unknown>, decision: Decision) {
	doc.transact(() => decide(block, decision), 'device-b');
}

type Sent = { messages: { role: string; content: Record<string, unknown>[] }[]; tools?: unknown[] };
const sent = (i: number) => fake.requestsTo('/v1/messages')[i]?.body as Sent;
const resultsSent = (i: number) => sent(i).messages.at(-1)!.content;

describe('[TL] tools in runs', () => {
	it('[TL20] tool calls run on the project, are recorded, and the run goes on with their results', async () => {
		makeManager();
		const s = session({ files: { 'notes.md': 'old 🙂\n' } });
		fake.script(
			{
				blocks: [
					{ type: 'text', text: 'Let me look.' },
					{ type: 'tool_use', id: 'toolu_read', name: 'read_file', input: { path: 'notes.md' } },
					{
						type: 'tool_use',
						id: 'toolu_write',
						name: 'write_file',
						input: { path: 'src/ñ.ts', content: 'export const 🍕 = 1;\n' },
						// Split inside a key, inside an escape-free multi-byte value.
						partialJson: ['', '{"pa', 'th": "src/ñ.ts", "content": "export const 🍕', ' = 1;\\n"}']
					}
				],
				chunkBytes: 7
			},
			{ blocks: [{ type: 'text', text: 'Done.' }] }
		);
		await s.ask();
		const out = await answered(s.doc, s.messageId);
		expect(out.map((a) => [a.status, a.stopReason])).toEqual([
			['done', 'tool_use'],
			['done', 'end_turn']
		]);
		expect(readFile(s.project, 'src/ñ.ts')).toBe('export const 🍕 = 1;\n');
		const [read, write] = toolBlocks(s.doc);
		expect(read).toMatchObject({
			status: 'done',
			result: '1\told 🙂',
			input: { path: 'notes.md' }
		});
		expect(write).toMatchObject({ status: 'done', result: 'Created "src/ñ.ts" (1 line).' });
		expect(write!.diff).toContain('+export const 🍕 = 1;');
		expect(write!.startedAt).toBeTypeOf('number');
		expect(write!.endedAt).toBeGreaterThanOrEqual(write!.startedAt!);
		expect(sent(0).tools).toHaveLength(7);
		expect(resultsSent(1)).toEqual([
			{ type: 'tool_result', tool_use_id: 'toolu_read', content: '1\told 🙂' },
			{ type: 'tool_result', tool_use_id: 'toolu_write', content: 'Created "src/ñ.ts" (1 line).' }
		]);
		expect(docs.held).toBe(0);
	});

	it('[TL29] a later run, in another session of the project, reads what an earlier run wrote', async () => {
		makeManager();
		const first = session();
		fake.script(
			{
				blocks: [
					{
						type: 'tool_use',
						id: 'toolu_w',
						name: 'write_file',
						input: { path: 'plan.md', content: 'Step 1: שלום 👋\n' }
					}
				]
			},
			{ blocks: [{ type: 'text', text: 'Written.' }] }
		);
		await first.ask();
		await answered(first.doc, first.messageId);

		const projectId = shapes.sessionMeta(first.doc).get('projectId') as string;
		const second = docs.doc(docKey(account, sessionDoc('s-second')));
		shapes.initSession(second, projectId, 3);
		shapes.appendMessage(second, {
			id: 'm-second',
			role: 'user',
			text: 'What is the plan?',
			createdAt: 4,
			ask: 'waiting'
		});
		fake.script(
			{
				blocks: [{ type: 'tool_use', id: 'toolu_r', name: 'read_file', input: { path: 'plan.md' } }]
			},
			{ blocks: [{ type: 'text', text: 'Step 1.' }] }
		);
		await manager.ask({
			accountId: account,
			apiKey: key,
			attempt: 1,
			sessionId: 's-second',
			messageId: 'm-second'
		});
		await answered(second, 'm-second');
		expect(toolBlocks(second)[0]).toMatchObject({ status: 'done', result: '1\tStep 1: שלום 👋' });
	});

	it('[TL21] invalid input, unparsable JSON, text not found and escaping paths are error results', async () => {
		makeManager();
		const s = session({ files: { 'a.txt': 'alpha\n' } });
		fake.script(
			{
				blocks: [
					{ type: 'tool_use', id: 't1', name: 'read_file', input: { file: 'a.txt' } },
					{
						type: 'tool_use',
						id: 't2',
						name: 'read_file',
						input: {},
						partialJson: ['{"path": "a.t']
					},
					{
						type: 'tool_use',
						id: 't3',
						name: 'edit_file',
						input: { path: 'a.txt', old_string: 'beta', new_string: 'gamma' }
					},
					{ type: 'tool_use', id: 't4', name: 'write_file', input: { path: '../x', content: '' } }
				]
			},
			{ blocks: [{ type: 'text', text: 'Sorry.' }] }
		);
		await s.ask();
		await answered(s.doc, s.messageId);
		const results = resultsSent(1);
		expect(results.every((r) => r.is_error === true)).toBe(true);
		expect(results.map((r) => r.content)).toEqual([
			expect.stringMatching(
				/^Invalid input for read_file: path: .*; input: Unrecognized key: "file"/
			),
			'The tool input sent by the API was not valid JSON.',
			'The text to replace was not found in "a.txt".',
			'"../x" points outside the workspace.'
		]);
		expect(toolBlocks(s.doc).map((b) => [b.status, b.isError])).toEqual(
			Array(4).fill(['error', true])
		);
		expect(readFile(s.project, 'a.txt')).toBe('alpha\n');
	});

	it('[TL22] a run takes at most TETHER_MAX_TOOL_ROUNDS rounds, then ends in words', async () => {
		makeManager({ maxToolRounds: 2 });
		const s = session();
		const list = { blocks: [{ type: 'tool_use' as const, name: 'list_files', input: {} }] };
		fake.script(list, list, list);
		await s.ask();
		const out = await answered(s.doc, s.messageId);
		expect(fake.requestsTo('/v1/messages')).toHaveLength(2);
		expect(out).toHaveLength(2);
		expect(out[1]).toMatchObject({ status: 'done', error: { kind: 'tool_rounds' } });
		// The next message continues from a valid history: every call has its result.
		expect(toolBlocks(s.doc).every((b) => b.status === 'done')).toBe(true);
	});

	it('[TL23] with approval on, a write waits; approving from another device runs it and goes on', async () => {
		makeManager();
		const s = session({ ask: true });
		fake.script(
			{
				blocks: [{ type: 'tool_use', name: 'write_file', input: { path: 'a.md', content: 'hi\n' } }]
			},
			{ blocks: [{ type: 'text', text: 'Written.' }] }
		);
		await s.ask();
		const block = await pending(s.doc);
		expect(readFile(s.project, 'a.md')).toBeUndefined();
		expect(block.get('approvalExpiresAt')).toBeTypeOf('number');
		answer(s.doc, block, 'approve');
		// A second device's later answer changes nothing: the first one won.
		answer(s.doc, block, 'deny');
		await answered(s.doc, s.messageId);
		expect(readFile(s.project, 'a.md')).toBe('hi\n');
		expect(toolBlocks(s.doc)[0]).toMatchObject({ status: 'done', approval: 'approved' });
		expect(fake.requestsTo('/v1/messages')).toHaveLength(2);
	});

	it("[NT9] a waiting change is reported with its file; a notification's Approve runs it and the run goes on", async () => {
		const asked: (AskedApproval & { accountId: string })[] = [];
		makeManager({
			onApprovalAsked: (accountId, approval) => asked.push({ ...approval, accountId })
		});
		const s = session({ ask: true });
		fake.script(
			{
				blocks: [
					{
						type: 'tool_use',
						id: 'toolu_n9',
						name: 'write_file',
						input: { path: 'b.md', content: 'yes\n' }
					}
				]
			},
			{ blocks: [{ type: 'text', text: 'Done.' }] }
		);
		await s.ask();
		const block = await pending(s.doc);
		expect(asked).toEqual([
			{
				accountId: account,
				projectId: expect.stringMatching(/^p\d+$/),
				sessionId: s.sessionId,
				toolUseId: 'toolu_n9',
				tool: 'write_file',
				path: 'b.md',
				expiresAt: block.get('approvalExpiresAt'),
				sessionTitle: undefined
			}
		]);
		await answerApproval(
			docs,
			{ accountId: account, sessionId: s.sessionId, toolUseId: 'toolu_n9', expiresAt: 0 },
			'approve'
		);
		await answered(s.doc, s.messageId);
		expect(readFile(s.project, 'b.md')).toBe('yes\n');
		expect(toolBlocks(s.doc)[0]).toMatchObject({ status: 'done', approval: 'approved' });
	});

	it('[TL24] Deny becomes an error result saying the person declined; the run goes on', async () => {
		makeManager();
		const s = session({ ask: true, files: { 'keep.md': 'keep\n' } });
		fake.script(
			{ blocks: [{ type: 'tool_use', name: 'delete_file', input: { path: 'keep.md' } }] },
			{ blocks: [{ type: 'text', text: 'Understood.' }] }
		);
		await s.ask();
		answer(s.doc, await pending(s.doc), 'deny');
		const out = await answered(s.doc, s.messageId);
		expect(readFile(s.project, 'keep.md')).toBe('keep\n');
		expect(toolBlocks(s.doc)[0]).toMatchObject({
			status: 'error',
			isError: true,
			result: declinedResult,
			approval: 'denied'
		});
		expect(resultsSent(1)[0]).toMatchObject({ is_error: true, content: declinedResult });
		expect(out.at(-1)).toMatchObject({ status: 'done', text: 'Understood.' });
	});

	it('[TL25] "Approve for this session" stops asking in that session', async () => {
		makeManager();
		const s = session({ ask: true });
		const write = (path: string) => ({
			blocks: [{ type: 'tool_use' as const, name: 'write_file', input: { path, content: 'x' } }]
		});
		fake.script(write('one.md'), write('two.md'), { blocks: [{ type: 'text', text: 'ok' }] });
		await s.ask();
		answer(s.doc, await pending(s.doc), 'approve_session');
		await answered(s.doc, s.messageId);
		expect(readFile(s.project, 'two.md')).toBe('x');
		expect(toolBlocks(s.doc).map((b) => b.approval)).toEqual(['approved', undefined]);
		expect(shapes.sessionMeta(s.doc).get('approveFileChanges')).toBe(true);
	});

	it('[NT11] a call that waited for approval is reported once it no longer waits: approved, denied or expired', async () => {
		const settled: { toolUseId: string; outcome: string; path?: string; accountId: string }[] = [];
		makeManager({
			approvalMs: 5_000,
			onApprovalSettled: (accountId, { toolUseId, outcome, path }) =>
				settled.push({ accountId, toolUseId, outcome, path })
		});
		const write = (id: string, path: string) => ({
			blocks: [{ type: 'tool_use' as const, id, name: 'write_file', input: { path, content: 'x' } }]
		});
		const s = session({ ask: true });
		fake.script(write('toolu_yes', 'yes.md'), write('toolu_no', 'no.md'), {
			blocks: [{ type: 'text', text: 'ok' }]
		});
		await s.ask();
		expect(settled).toEqual([]);
		const first = await pending(s.doc);
		answer(s.doc, first, 'approve');
		await expect.poll(() => first.get('approval'), { timeout: 8000 }).toBe('approved');
		answer(s.doc, await pending(s.doc), 'deny');
		await answered(s.doc, s.messageId);
		expect(settled).toEqual([
			{ accountId: account, toolUseId: 'toolu_yes', outcome: 'approved', path: 'yes.md' },
			{ accountId: account, toolUseId: 'toolu_no', outcome: 'denied', path: 'no.md' }
		]);
	});

	it('[TL26] an approval nobody answers expires with a note and the run ends cleanly', async () => {
		const settled: string[] = [];
		makeManager({
			approvalMs: 50,
			onApprovalSettled: (_account, { outcome }) => settled.push(outcome)
		});
		const s = session({ ask: true });
		fake.script({
			blocks: [
				{
					type: 'tool_use',
					name: 'edit_file',
					input: { path: 'a', old_string: 'a', new_string: 'b' }
				},
				{ type: 'tool_use', name: 'list_files', input: {} }
			]
		});
		await s.ask();
		const out = await answered(s.doc, s.messageId);
		expect(out).toHaveLength(1);
		expect(out[0]).toMatchObject({ status: 'done', error: { kind: 'approval_expired' } });
		const [edit, list] = toolBlocks(s.doc);
		expect(edit).toMatchObject({ status: 'error', approval: 'expired' });
		expect(edit!.result).toMatch(/^Nobody answered the approval within 0\.05 seconds/);
		// Every device's notification of it is replaced [NT11].
		expect(settled).toEqual(['expired']);
		expect(list).toMatchObject({
			status: 'error',
			result: 'Not run: the run ended before this call.'
		});
		expect(fake.requestsTo('/v1/messages')).toHaveLength(1);
	});

	it('[TL27] Stop while an approval waits ends it with a note; a crash leaves none pending', async () => {
		makeManager();
		const s = session({ ask: true });
		fake.script({
			blocks: [{ type: 'tool_use', name: 'write_file', input: { path: 'a', content: 'x' } }]
		});
		await s.ask();
		await pending(s.doc);
		expect(manager.stop(account, s.sessionId)).toBe(true);
		const out = await answered(s.doc, s.messageId);
		expect(out[0]!.status).toBe('stopped');
		expect(toolBlocks(s.doc)[0]).toMatchObject({ approval: 'ended', result: endedResult });

		// A crash while waiting: the log says running, the block says pending; recovery ends both.
		const c = session({ ask: true });
		const log = createRunLog(db);
		const run = { accountId: account, sessionId: c.sessionId, messageId: c.messageId, attempt: 1 };
		log.claim(run);
		log.set(run, 'running', 'crashed');
		c.doc.transact(() => {
			const a = answers.startAnswer(c.doc, {
				id: 'crashed',
				replyTo: c.messageId,
				model: 'm',
				createdAt: 3
			});
			const block = answers.addBlock(a, { type: 'tool_use', id: 'toolu_c', name: 'write_file' });
			block.set('approval', 'pending');
		});
		await manager.recover();
		expect(toolBlocks(c.doc)[0]).toMatchObject({
			status: 'error',
			approval: 'ended',
			result: endedResult
		});
		expect(rows(c.doc).find((r) => r.id === 'crashed')?.status).toBe('interrupted');
	});

	it('[TL28] a project deleted during a run makes its tool calls error results; the run still ends', async () => {
		makeManager();
		const s = session();
		docs.failing.add(docKey(account, projectDoc(`p${count}`)));
		fake.script(
			{ blocks: [{ type: 'tool_use', name: 'write_file', input: { path: 'a', content: 'x' } }] },
			{ blocks: [{ type: 'text', text: 'ok' }] }
		);
		await s.ask();
		const out = await answered(s.doc, s.messageId);
		expect(out.at(-1)).toMatchObject({ status: 'done', text: 'ok' });
		expect(toolBlocks(s.doc)[0]).toMatchObject({ status: 'error', isError: true });
		expect(toolBlocks(s.doc)[0]!.result).toMatch(/project may have been deleted/);
	});
});
