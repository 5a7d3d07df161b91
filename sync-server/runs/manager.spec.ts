import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startFakeAnthropic, type FakeAnthropic } from '../../tests/fake-anthropic/index.js';
import * as answers from '../../src/lib/core/answers.js';
import { projectDoc, sessionDoc } from '../../src/lib/core/doc-names.js';
import { messageRows } from '../../src/lib/core/projection.js';
import type { MessageRow } from '../../src/lib/core/rows.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { docKey } from '../storage/types.js';
import { MemoryDocs } from '../../tests/lib/memory-docs.js';
import { RunManager, storeFailed, type RunManagerOptions } from './manager.js';
import type { EndedRun } from '../../src/lib/core/run-notice.js';
import { listModels, ModelCache } from './models.js';
import { createRunLog } from './run-log.js';
import { anthropicClient } from './upstream.js';

const key = 'sk-ant-test-runs';
const account = 'acct';

let fake: FakeAnthropic;
let docs: MemoryDocs;
let manager: RunManager;
let db: Database.Database;
let sessionCount = 0;

beforeAll(async () => {
	fake = await startFakeAnthropic({ keys: [key] });
	process.env.ANTHROPIC_BASE_URL = fake.url;
});
afterAll(async () => {
	await fake.close();
});

function makeManager(
	idleMs = 5000,
	onRunEnded?: RunManagerOptions['onRunEnded'],
	more: Partial<RunManagerOptions> = {}
) {
	db = new Database(':memory:');
	docs = new MemoryDocs();
	manager = new RunManager({
		docs,
		log: createRunLog(db),
		models: new ModelCache(),
		client: (apiKey, onRetryableStatus) => anthropicClient(apiKey, { onRetryableStatus }),
		listModels,
		idleMs,
		writeIntervalMs: 10,
		onRunEnded,
		...more
	});
}

afterEach(async () => {
	await manager.close();
	fake.reset();
});

/** A session in a project with project information, and a person's message waiting. */
function session(text = 'Hello', info = 'Project notes') {
	const sessionId = `s${++sessionCount}`;
	const projectId = `p${sessionCount}`;
	shapes.projectInfo(docs.doc(docKey(account, projectDoc(projectId)))).insert(0, info);
	const doc = docs.doc(docKey(account, sessionDoc(sessionId)));
	shapes.initSession(doc, projectId, 1);
	const messageId = `m${sessionCount}`;
	shapes.appendMessage(doc, { id: messageId, role: 'user', text, createdAt: 2, ask: 'waiting' });
	return { sessionId, messageId, doc };
}

function rows(doc: Y.Doc): MessageRow[] {
	return messageRows('s', doc);
}

async function answered(doc: Y.Doc, messageId: string): Promise<MessageRow> {
	await expect
		.poll(() => rows(doc).find((r) => r.id === messageId)?.ask, { timeout: 8000 })
		.toBe('answered');
	const answer = rows(doc).find((r) => r.replyTo === messageId);
	if (!answer) throw new Error('no answer');
	return answer;
}

const ask = (s: { sessionId: string; messageId: string }, attempt = 1) =>
	manager.ask({ accountId: account, apiKey: key, attempt, ...s });

describe('[RN] runs on the server', () => {
	it('[NT1] tells who listens how each run ended, with the session title and the answer', async () => {
		const ended: [string, EndedRun][] = [];
		makeManager(5000, (accountId, run) => void ended.push([accountId, run]));
		const s = session('Plan a trip');
		shapes.addSession(docs.doc(docKey(account, projectDoc(`p${sessionCount}`))), s.sessionId, 1);
		shapes.renameSession(
			docs.doc(docKey(account, projectDoc(`p${sessionCount}`))),
			s.sessionId,
			'Trip 🗺️'
		);
		fake.script({ blocks: [{ type: 'text', text: 'Go north.' }] });
		await ask(s);
		const answer = await answered(s.doc, s.messageId);
		await expect.poll(() => ended.length).toBe(1);
		expect(ended[0]).toEqual([
			account,
			{
				projectId: `p${sessionCount}`,
				sessionId: s.sessionId,
				answerId: answer.id,
				status: 'done',
				text: 'Go north.',
				error: undefined,
				sessionTitle: 'Trip 🗺️'
			}
		]);
	});

	it('[RN1] streams the answer into the session document with usage, model and stop reason', async () => {
		makeManager();
		const s = session('Say hi');
		fake.script({
			blocks: [
				{ type: 'thinking', thinking: 'Considering 🤔', signature: 'sig-1' },
				{ type: 'text', text: 'Hi there 👋 שלום', deltas: ['Hi ', 'there 👋', ' שלום'] }
			],
			usage: { inputTokens: 12, outputTokens: 7 },
			chunkBytes: 1
		});
		expect(await ask(s)).toEqual({ state: 'running' });
		const answer = await answered(s.doc, s.messageId);
		expect(answer).toMatchObject({
			status: 'done',
			text: 'Hi there 👋 שלום',
			model: 'claude-sonnet-4-6',
			stopReason: 'end_turn',
			usage: { input: 12, output: 7 }
		});
		expect(answer.blocks?.[0]).toEqual({
			type: 'thinking',
			thinking: 'Considering 🤔',
			signature: 'sig-1'
		});
		expect(docs.held).toBe(0);
	});

	it('[RN2] sends only this session’s history, with the project information as the system prompt', async () => {
		makeManager();
		const other = session('Other session secret');
		await ask(other);
		await answered(other.doc, other.messageId);
		const s = session('Mine', 'Remember: tabs');
		await ask(s);
		await answered(s.doc, s.messageId);
		const sent = fake.requestsTo('/v1/messages').at(-1)?.body as {
			system: string;
			messages: unknown[];
			max_tokens: number;
		};
		expect(sent.system).toBe('Remember: tabs');
		expect(sent.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Mine' }] }]);
		expect(JSON.stringify(sent)).not.toContain('Other session secret');
		expect(sent.max_tokens).toBe(64_000);
	});

	it('[RN4] a history with a dangling tool_use is repaired before sending (R21)', async () => {
		makeManager();
		const s = session('first');
		s.doc.transact(() => {
			const a = answers.startAnswer(s.doc, {
				id: 'old',
				replyTo: s.messageId,
				model: 'x',
				createdAt: 3
			});
			answers.addBlock(a, { type: 'tool_use', id: 'toolu_dangling', name: 'read_file' });
			answers.finishAnswer(a, { status: 'done' });
			answers.setAsk(answers.findMessage(s.doc, s.messageId)!, 'answered');
			shapes.appendMessage(s.doc, {
				id: 'm-next',
				role: 'user',
				text: 'next',
				createdAt: 4,
				ask: 'waiting'
			});
		});
		await ask({ sessionId: s.sessionId, messageId: 'm-next' });
		const answer = await answered(s.doc, 'm-next');
		expect(answer.status).toBe('done');
		expect(fake.requestsTo('/v1/messages').at(-1)?.status).toBe(200);
	});

	it('[RN5] one run per message and attempt, however often it is asked (R22)', async () => {
		makeManager();
		const s = session();
		fake.script({ delayMs: 20 });
		const results = await Promise.allSettled([ask(s), ask(s), ask(s)]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
		expect(refused.reason).toMatchObject({ status: 409, code: 'already_asked' });
		await answered(s.doc, s.messageId);
		await expect(ask(s)).rejects.toMatchObject({ status: 409 });
		expect(fake.requestsTo('/v1/messages')).toHaveLength(1);
		await expect(ask({ sessionId: s.sessionId, messageId: 'nope' })).rejects.toMatchObject({
			status: 404,
			code: 'message_not_found'
		});
	});

	it('[RN6] a message sent while a run streams is queued and answered after it, in order', async () => {
		makeManager();
		const s = session('one');
		fake.script({ delayMs: 30, blocks: [{ type: 'text', text: 'first answer' }] });
		await ask(s);
		shapes.appendMessage(s.doc, {
			id: 'two',
			role: 'user',
			text: 'two',
			createdAt: 5,
			ask: 'waiting'
		});
		expect(await ask({ sessionId: s.sessionId, messageId: 'two' })).toEqual({ state: 'queued' });
		expect(rows(s.doc).find((r) => r.id === 'two')?.ask).toBe('queued');
		await answered(s.doc, 'two');
		const order = rows(s.doc).map((r) => (r.role === 'user' ? r.id : `answer:${r.replyTo}`));
		expect(order).toEqual(
			[s.messageId, 'two', `answer:${s.messageId}`, 'answer:two'].sort(
				(a, b) => order.indexOf(a) - order.indexOf(b)
			)
		);
		const second = fake.requestsTo('/v1/messages')[1]?.body as { messages: unknown[] };
		expect(second.messages).toHaveLength(3);
	});

	it('[RN7] Stop ends the upstream request and keeps the partial answer, marked stopped (R20)', async () => {
		makeManager();
		const s = session();
		fake.script({
			blocks: [{ type: 'text', text: 'a'.repeat(50), deltas: Array(50).fill('a') }],
			delayMs: 40
		});
		await ask(s);
		await expect
			.poll(() => rows(s.doc).find((r) => r.replyTo)?.text.length ?? 0)
			.toBeGreaterThan(0);
		expect(manager.stop(account, s.sessionId)).toBe(true);
		const answer = await answered(s.doc, s.messageId);
		expect(answer.status).toBe('stopped');
		expect(answer.text.length).toBeGreaterThan(0);
		expect(answer.text.length).toBeLessThan(50);
		await expect.poll(() => fake.openResponses()).toBe(0);
		expect(fake.requestsTo('/v1/messages')[0]?.outcome).toBe('client-closed');
	});

	it.each([
		[401, 'authentication'],
		[402, 'billing'],
		[500, 'api_error'],
		[529, 'overloaded']
	])(
		'[RN8] an HTTP %i fails the run with words, kept as an answer with its error',
		async (status, kind) => {
			makeManager();
			const s = session();
			fake.failNext(status, { times: 3, endpoint: 'messages' });
			await ask(s);
			const answer = await answered(s.doc, s.messageId);
			expect(answer.status).toBe('failed');
			expect(answer.error?.kind).toBe(kind);
			expect(answer.error?.message).toMatch(/\w+ \w+/);
		}
	);

	it('[RN8] a 429 says how long to wait; the SDK retries once and no more (R17)', async () => {
		makeManager();
		const s = session();
		fake.failNext({ status: 429, retryAfter: 0.05 }, { times: 5, endpoint: 'messages' });
		await ask(s);
		const answer = await answered(s.doc, s.messageId);
		expect(answer.error).toMatchObject({ kind: 'rate_limit', retryAfterSeconds: 1 });
		expect(fake.requestsTo('/v1/messages')).toHaveLength(2);
	});

	it.each([
		['error-event', 'overloaded'],
		['close', 'cut_short'],
		['reset', 'network']
	] as const)(
		'[RN9] a stream broken by %s keeps the partial answer, interrupted, never retried (R18)',
		async (how, kind) => {
			makeManager();
			const s = session();
			fake.script({
				blocks: [
					{ type: 'text', text: 'partial words here', deltas: ['partial ', 'words ', 'here'] }
				],
				interrupt: { how, afterEvent: 4 }
			});
			await ask(s);
			const answer = await answered(s.doc, s.messageId);
			expect(answer.status).toBe('interrupted');
			expect(answer.error?.kind).toBe(kind);
			expect(answer.text).toContain('partial');
			expect(fake.requestsTo('/v1/messages')).toHaveLength(1);
		}
	);

	it('[RN10] a stream that stalls after its headers ends after the idle time (R19)', async () => {
		makeManager(300);
		const s = session();
		fake.script({
			blocks: [{ type: 'text', text: 'before the stall' }],
			interrupt: { how: 'stall', afterEvent: 3 }
		});
		await ask(s);
		const answer = await answered(s.doc, s.messageId);
		expect(answer).toMatchObject({ status: 'interrupted', error: { kind: 'stall' } });
		await expect.poll(() => fake.openResponses()).toBe(0);
	});

	it('[RN15] an answer whose writes storage refused ends where storage stopped, never left writing', async () => {
		makeManager(5000, undefined, { endRetryMs: [50, 50, 50, 50, 50, 50, 50, 50] });
		const s = session();
		const key = docKey(account, sessionDoc(s.sessionId));
		const deltas = Array.from({ length: 40 }, (_, i) => `${i},`);
		fake.script({ blocks: [{ type: 'text', text: deltas.join(''), deltas }], delayMs: 20 });
		await ask(s);
		await expect
			.poll(() => rows(s.doc).find((r) => r.replyTo)?.text.length ?? 0)
			.toBeGreaterThan(0);
		// The disk refuses writes for a moment (full, or failing) while the answer streams.
		docs.failing.add(key);
		const answerId = rows(s.doc).find((r) => r.replyTo)!.id;
		await expect.poll(() => docs.refused).toBeGreaterThan(0);
		docs.failing.delete(key);
		const answer = await answered(s.doc, s.messageId);
		expect(answer).toMatchObject({
			id: answerId,
			status: 'interrupted',
			error: { kind: 'store_failed', message: storeFailed.message }
		});
		// What was stored is the start of the answer, with no hole where writes were refused.
		expect(deltas.join('').startsWith(answer.text)).toBe(true);
		expect(answer.text.length).toBeLessThan(deltas.join('').length);
		expect(createRunLog(db).unfinished()).toEqual([]);
	});

	it('[RN8] a key the API refuses fails the run in words even when the model list cannot be read', async () => {
		makeManager();
		const s = session();
		fake.failNext(401, { times: 3, endpoint: 'any' });
		await ask(s);
		const answer = await answered(s.doc, s.messageId);
		expect(answer).toMatchObject({ status: 'failed', error: { kind: 'authentication' } });
	});

	it('[RN11] a run the log says was running but whose answer never began waits to be asked again', async () => {
		makeManager();
		const s = session('never began');
		const log = createRunLog(db);
		const run = { accountId: account, sessionId: s.sessionId, messageId: s.messageId, attempt: 1 };
		log.claim(run);
		log.set(run, 'running', 'missing-answer');
		answers.setAsk(answers.findMessage(s.doc, s.messageId)!, 'running');
		const again = new RunManager({
			docs,
			log,
			models: new ModelCache(),
			client: (apiKey) => anthropicClient(apiKey),
			listModels,
			idleMs: 1000
		});
		await again.recover();
		expect(rows(s.doc).find((r) => r.id === s.messageId)?.ask).toBe('waiting');
		expect(log.claim(run)).toBe(true);
	});

	it('[RN11] shutdown ends a running answer interrupted, and recovery ends what a crash left running', async () => {
		makeManager();
		const s = session();
		fake.script({
			blocks: [{ type: 'text', text: 'x'.repeat(40), deltas: Array(40).fill('x') }],
			delayMs: 50
		});
		await ask(s);
		await expect
			.poll(() => rows(s.doc).find((r) => r.replyTo)?.text.length ?? 0)
			.toBeGreaterThan(0);
		await manager.close();
		expect(rows(s.doc).find((r) => r.replyTo)).toMatchObject({
			status: 'interrupted',
			error: { kind: 'server_restart' }
		});

		// A crash: the log says running, the document says streaming; a new manager ends it.
		const crashed = session('again');
		const log = createRunLog(db);
		log.claim({
			accountId: account,
			sessionId: crashed.sessionId,
			messageId: crashed.messageId,
			attempt: 1
		});
		crashed.doc.transact(() => {
			answers.setAsk(answers.findMessage(crashed.doc, crashed.messageId)!, 'running');
			answers.startAnswer(crashed.doc, {
				id: 'ans',
				replyTo: crashed.messageId,
				model: 'x',
				createdAt: 1
			});
		});
		log.set(
			{
				accountId: account,
				sessionId: crashed.sessionId,
				messageId: crashed.messageId,
				attempt: 1
			},
			'running',
			'ans'
		);
		const again = new RunManager({
			docs,
			log,
			models: new ModelCache(),
			client: (apiKey) => anthropicClient(apiKey),
			listModels,
			idleMs: 1000
		});
		await again.recover();
		expect(rows(crashed.doc).find((r) => r.id === 'ans')).toMatchObject({
			status: 'interrupted',
			error: { kind: 'server_restart' }
		});
		expect(rows(crashed.doc).find((r) => r.id === crashed.messageId)?.ask).toBe('answered');
		expect(log.unfinished()).toEqual([]);
	});
});

describe('[LB] compact: a run that summarizes another session', () => {
	/** An old session with a conversation, and a compacted one asking for its summary. */
	function compacted() {
		const sourceId = `old${++sessionCount}`;
		const projectId = `p${sessionCount}`;
		const project = docs.doc(docKey(account, projectDoc(projectId)));
		const old = docs.doc(docKey(account, sessionDoc(sourceId)));
		shapes.initSession(old, projectId, 1);
		shapes.addSession(project, sourceId, 1);
		shapes.appendMessage(old, { id: 'o1', role: 'user', text: 'Plan a trip', createdAt: 2 });
		answers.startAnswer(old, { id: 'o2', replyTo: 'o1', model: 'm', createdAt: 3 });
		const text = answers.addBlock(answers.findMessage(old, 'o2')!, { type: 'text' });
		answers.blockText(text)!.insert(0, 'Go north.');
		answers.finishAnswer(answers.findMessage(old, 'o2')!, { status: 'done' });
		const sessionId = `new${sessionCount}`;
		const doc = docs.doc(docKey(account, sessionDoc(sessionId)));
		shapes.initSession(doc, projectId, 4);
		shapes.addSession(project, sessionId, 4);
		const messageId = `ask${sessionCount}`;
		shapes.appendMessage(doc, {
			id: messageId,
			role: 'user',
			text: 'Summarize',
			createdAt: 5,
			ask: 'waiting',
			summaryOf: sourceId
		});
		return { sessionId, messageId, doc, old, project, sourceId };
	}

	it('[LB23] sends the old session’s conversation then the request, without tools, and links the old session forward once the summary is written', async () => {
		makeManager();
		const s = compacted();
		const before = Y.encodeStateVector(s.old);
		fake.script({ blocks: [{ type: 'text', text: 'Summary: a trip north.' }] });
		await ask(s);
		const answer = await answered(s.doc, s.messageId);
		expect(answer).toMatchObject({ status: 'done', text: 'Summary: a trip north.' });
		const body = fake.requestsTo('/v1/messages').at(-1)?.body as {
			messages: { role: string; content: { text: string }[] }[];
			tools?: unknown;
		};
		expect(body.tools).toBeUndefined();
		expect(body.messages.map((m) => [m.role, m.content.map((c) => c.text).join('')])).toEqual([
			['user', 'Plan a trip'],
			['assistant', 'Go north.'],
			['user', 'Summarize']
		]);
		await expect
			.poll(() => shapes.sessions(s.project).get(s.sourceId)?.get('continuedIn'))
			.toBe(s.sessionId);
		// The old session's own document is never written.
		expect(Y.encodeStateVector(s.old)).toEqual(before);
	});

	it('[LB24] a failed summary leaves the old session untouched and unlinked; the session to summarize must exist in the same project', async () => {
		makeManager();
		const s = compacted();
		const before = Y.encodeStateVector(s.old);
		fake.failNext(400, { times: 1, endpoint: 'messages' });
		await ask(s);
		const failed = await answered(s.doc, s.messageId);
		expect(failed.status).toBe('failed');
		expect(shapes.sessions(s.project).get(s.sourceId)?.has('continuedIn')).toBe(false);
		expect(Y.encodeStateVector(s.old)).toEqual(before);

		const gone = compacted();
		shapes.sessionMeta(gone.old).set('projectId', 'another project');
		const requests = fake.requestsTo('/v1/messages').length;
		await ask(gone);
		const refused = await answered(gone.doc, gone.messageId);
		expect(refused.error?.kind).toBe('summary_source');
		expect(fake.requestsTo('/v1/messages')).toHaveLength(requests);
		expect(shapes.sessions(gone.project).get(gone.sourceId)?.has('continuedIn')).toBe(false);
	});
});

describe('[IN13] a run under a lapsed lease', () => {
	it('[IN13] writes nothing once its lease lapsed, even after the lease is back, and its own claim is ended at the next beat', async () => {
		let lease: number | undefined = 1;
		const ended: string[] = [];
		const errors: string[] = [];
		const owned = new Set<string>();
		makeManager(5000, undefined, {
			onError: (message) => errors.push(message),
			sharedClaims: {
				claim: async (run) => (owned.add(run.messageId), true),
				forget: async (run) => void owned.delete(run.messageId),
				ended: async (run) => void ended.push(run.messageId),
				takeOver: async () => [],
				lease: () => lease,
				owns: async (run) => owned.has(run.messageId)
			}
		});
		const s = session('Count slowly');
		const pieces = Array.from({ length: 40 }, (_, i) => `n${i} `);
		fake.script({ blocks: [{ type: 'text', text: pieces.join(''), deltas: pieces }], delayMs: 50 });
		await ask(s);
		const text = () => rows(s.doc).find((r) => r.replyTo === s.messageId)?.text ?? '';
		await expect.poll(text).toContain('n2 ');
		lease = undefined;
		// The next write is refused and cuts the run; the lease coming back does not revive it.
		await expect.poll(() => errors.join(' | ')).toContain('lost its lease');
		const cut = text();
		lease = 2;
		await expect.poll(() => fake.openResponses()).toBe(0);
		expect(text()).toBe(cut);
		expect(ended).toEqual([]);
		// Still its own claim: the next beat ends it as after a crash.
		await manager.recoverShared();
		const answer = await answered(s.doc, s.messageId);
		expect(answer).toMatchObject({ status: 'interrupted', text: cut });
		expect(ended).toEqual([s.messageId]);
	});
});
