import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as answers from './answers.js';
import { exportedSession } from './export/from-rows.js';
import { writeSession } from './import/write-session.js';
import { messageRows, sessionRows } from './projection.js';
import type { MessageRow, SessionRow } from './rows.js';
import { compactState, forkedSession, sessionLinks, summaryRequest } from './session-links.js';
import * as shapes from './shapes.js';

/** A session: a question, an answer that used a tool, a second question still waiting. */
function source() {
	const doc = new Y.Doc();
	shapes.initSession(doc, 'p', 1);
	shapes.appendMessage(doc, { id: 'q1', role: 'user', text: 'Read a.txt 😀', createdAt: 2 });
	const answer = answers.startAnswer(doc, { id: 'a1', replyTo: 'q1', model: 'm', createdAt: 3 });
	const call = answers.addBlock(answer, { type: 'tool_use', id: 'tu1', name: 'read_file' });
	call.set('input', { path: 'a.txt' });
	call.set('result', 'hello');
	call.set('status', 'done');
	answers.blockText(answers.addBlock(answer, { type: 'text' }))!.insert(0, 'It says hello.');
	answers.finishAnswer(answer, { status: 'done' });
	shapes.appendMessage(doc, {
		id: 'q2',
		role: 'user',
		text: 'And b.txt?',
		createdAt: 4,
		ask: 'waiting'
	});
	const row: SessionRow = {
		id: 's',
		projectId: 'p',
		title: 'Files',
		renamed: false,
		createdAt: 1,
		lastActivity: 4
	};
	return exportedSession(row, messageRows('s', doc));
}

let counter = 0;
const newId = () => `n${++counter}`;

function written(session: NonNullable<ReturnType<typeof forkedSession>>): MessageRow[] {
	const doc = new Y.Doc();
	writeSession(doc, 'p', session, newId);
	return messageRows('f', doc);
}

describe('[LB20] fork', () => {
	it('copies the messages up to and including the chosen one, tool records included, with new ids', () => {
		const forked = forkedSession(source(), 'a1', 100)!;
		expect(forked).toMatchObject({ title: 'Files (fork)', createdAt: 100, lastActivity: 100 });
		const rows = written(forked);
		expect(rows.map((r) => [r.role, r.text])).toEqual([
			['user', 'Read a.txt 😀'],
			['assistant', 'It says hello.']
		]);
		expect(rows.map((r) => r.id)).not.toContain('q1');
		expect(rows.map((r) => r.id)).not.toContain('a1');
		expect(rows[1]!.replyTo).toBe(rows[0]!.id);
		expect(rows[1]!.blocks?.[0]).toMatchObject({
			type: 'tool_use',
			id: 'tu1',
			name: 'read_file',
			input: { path: 'a.txt' },
			result: 'hello',
			status: 'done'
		});
	});

	it('copies the whole session without a message; nothing copied asks for an answer again', () => {
		const rows = written(forkedSession(source(), undefined, 100)!);
		expect(rows).toHaveLength(3);
		expect(rows[2]).toMatchObject({ text: 'And b.txt?', ask: 'answered' });
	});

	it('gives nothing for a message the session does not hold', () => {
		expect(forkedSession(source(), 'nope', 100)).toBeUndefined();
	});
});

describe('[LB21] links between sessions', () => {
	it('are read from the index, with the sessions they lead to; a deleted one leads nowhere', () => {
		const project = new Y.Doc();
		shapes.addSession(project, 'old', 1);
		shapes.addSessionEntry(
			project,
			'new',
			{ createdAt: 2, lastActivity: 2, title: 'Old (compacted)', renamed: true },
			{ compactedFrom: 'old' }
		);
		shapes.addSessionEntry(
			project,
			'fork',
			{ createdAt: 3, lastActivity: 3, title: 'Old (fork)', renamed: true },
			{ forkedFrom: 'gone' }
		);
		shapes.setContinuedIn(project, 'old', 'new');
		const rows = sessionRows('p', project).rows;
		const byId = (id: string) => rows.find((r) => r.id === id)!;
		expect(sessionLinks(byId('old'), rows)).toEqual([
			{ kind: 'continuedIn', session: byId('new') }
		]);
		expect(sessionLinks(byId('new'), rows)).toEqual([
			{ kind: 'compactedFrom', session: byId('old') }
		]);
		expect(sessionLinks(byId('fork'), rows)).toEqual([{ kind: 'forkedFrom', session: undefined }]);
	});

	it('lead from a session to every session forked from it, oldest first', () => {
		const project = new Y.Doc();
		shapes.addSession(project, 'old', 1);
		const entry = (
			id: string,
			at: number,
			link: { compactedFrom: string } | { forkedFrom: string }
		) =>
			shapes.addSessionEntry(
				project,
				id,
				{ createdAt: at, lastActivity: at, title: id, renamed: true },
				link
			);
		entry('later fork', 5, { forkedFrom: 'old' });
		entry('fork', 3, { forkedFrom: 'old' });
		entry('other', 4, { forkedFrom: 'elsewhere' });
		// A compaction whose summary was not written yet (or failed) is not linked forward.
		entry('compacting', 2, { compactedFrom: 'old' });
		const rows = sessionRows('p', project).rows;
		const byId = (id: string) => rows.find((r) => r.id === id)!;
		expect(sessionLinks(byId('old'), rows)).toEqual([
			{ kind: 'forkedInto', session: byId('fork') },
			{ kind: 'forkedInto', session: byId('later fork') }
		]);
		expect(sessionLinks(byId('fork'), rows)).toEqual([
			{ kind: 'forkedFrom', session: byId('old') }
		]);
	});
});

describe('[LB22] compact', () => {
	const request: MessageRow = {
		id: 'r',
		sessionId: 'c',
		seq: 0,
		role: 'user',
		text: summaryRequest('Old'),
		createdAt: 1,
		ask: 'waiting',
		summaryOf: 'old'
	};
	const answer = (status: MessageRow['status'], seq = 1): MessageRow => ({
		id: `a${seq}`,
		sessionId: 'c',
		seq,
		role: 'assistant',
		text: 'Summary',
		createdAt: 2,
		replyTo: 'r',
		status
	});

	it('follows the summary from asked to written or failed (and asked again by Retry)', () => {
		expect(summaryRequest('Trip 🗺️')).toContain('“Trip 🗺️”');
		expect(compactState([request])).toBe('summarizing');
		expect(compactState([{ ...request, ask: 'running' }, answer('streaming')])).toBe('summarizing');
		const answered = { ...request, ask: 'answered' as const };
		expect(compactState([answered, answer('done')])).toBe('done');
		expect(compactState([answered, answer('failed')])).toBe('failed');
		expect(compactState([answered, answer('done'), answer('interrupted', 2)])).toBe('failed');
		expect(
			compactState([answered, { ...answer('done'), error: { kind: 'x', message: 'x' } }])
		).toBe('failed');
		expect(compactState([{ ...request, ask: 'waiting', attempt: 2 }, answer('failed')])).toBe(
			'summarizing'
		);
	});

	it('is no state for a session that was not compacted', () => {
		expect(compactState([])).toBeUndefined();
		expect(compactState([{ ...request, summaryOf: undefined }])).toBeUndefined();
	});

	it('marks the request message in the session document and its row', () => {
		const doc = new Y.Doc();
		shapes.appendMessage(doc, { ...request, ask: 'waiting' });
		expect(messageRows('c', doc)[0]).toMatchObject({ summaryOf: 'old', ask: 'waiting' });
	});
});
