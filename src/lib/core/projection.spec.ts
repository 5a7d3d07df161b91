import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as projection from './projection.js';
import * as shapes from './shapes.js';
import { deriveTitle, untitledSession } from './title.js';
import { compactUpdates } from './compaction.js';
import { checkName } from './names.js';

function sync(a: Y.Doc, b: Y.Doc) {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('document shapes and projection', () => {
	it('[DS1] lists projects from the account document, without deleted ones', () => {
		const doc = new Y.Doc();
		shapes.addProject(doc, 'p1', 'Alpha', 1);
		shapes.addProject(doc, 'p2', 'Beta', 2);
		shapes.deleteProject(doc, 'p1', 3);
		expect(projection.projectRows(doc)).toEqual({
			rows: [{ id: 'p2', name: 'Beta', createdAt: 2 }],
			deleted: ['p1']
		});
	});

	it('[DS2] a deletion wins over a concurrent rename on another replica', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		shapes.addProject(a, 'p1', 'Alpha', 1);
		sync(a, b);
		shapes.deleteProject(a, 'p1', 2);
		shapes.renameProject(b, 'p1', 'Alpha renamed offline');
		sync(a, b);
		expect(projection.projectRows(a).rows).toEqual([]);
		expect(projection.projectRows(b).rows).toEqual([]);
	});

	it('[DS2] a deleted session stays deleted when an offline replica re-adds activity', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		shapes.addSession(a, 's1', 1);
		sync(a, b);
		shapes.deleteSession(a, 's1', 2);
		shapes.renameSession(b, 's1', 'kept?');
		sync(a, b);
		expect(projection.sessionRows('p', b)).toEqual({ rows: [], deleted: ['s1'] });
	});

	it('[DS3] a session is titled by its first message until it is renamed', () => {
		const doc = new Y.Doc();
		shapes.addSession(doc, 's1', 10);
		expect(projection.sessionRows('p', doc).rows[0]?.title).toBe(untitledSession);
		shapes.noteMessage(doc, 's1', '  Fix the   login bug\nmore', 20);
		shapes.noteMessage(doc, 's1', 'second message', 30);
		expect(projection.sessionRows('p', doc).rows[0]).toMatchObject({
			title: 'Fix the login bug',
			renamed: false,
			lastActivity: 30
		});
		shapes.renameSession(doc, 's1', 'Login');
		expect(projection.sessionRows('p', doc).rows[0]).toMatchObject({
			title: 'Login',
			renamed: true
		});
	});

	it('projects message rows in conversation order', () => {
		const doc = new Y.Doc();
		shapes.appendMessage(doc, { id: 'm1', role: 'user', text: 'hello', createdAt: 1 });
		shapes.appendMessage(doc, { id: 'm2', role: 'assistant', text: 'hi', createdAt: 2 });
		expect(projection.messageRows('s', doc)).toEqual([
			{ id: 'm1', sessionId: 's', seq: 0, role: 'user', text: 'hello', createdAt: 1 },
			{ id: 'm2', sessionId: 's', seq: 1, role: 'assistant', text: 'hi', createdAt: 2 }
		]);
	});

	it('collects appended messages as a tail to rewrite and text edits as single rows', () => {
		const doc = new Y.Doc();
		const list = shapes.messages(doc);
		for (let i = 0; i < 5; i++) {
			shapes.appendMessage(doc, { id: `m${i}`, role: 'user', text: `t${i}`, createdAt: i });
		}
		const changes = projection.emptyMessageChanges();
		const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) =>
			projection.collectMessageChanges(changes, events, list);
		list.observeDeep(observer);
		shapes.appendMessage(doc, { id: 'm5', role: 'user', text: 't5', createdAt: 5 });
		(list.get(1).get('text') as Y.Text).insert(2, '!');
		list.unobserveDeep(observer);
		const applied = projection.applyMessageChanges('s', doc, changes);
		expect(applied.fromSeq).toBe(5);
		expect(applied.rows.map((r) => [r.seq, r.text])).toEqual([
			[5, 't5'],
			[1, 't1!']
		]);
	});

	it('derives titles from the first non-empty line, cut near 80 characters', () => {
		expect(deriveTitle('\n\n  hello  world ')).toBe('hello world');
		expect(deriveTitle('   ')).toBe(untitledSession);
		const long = deriveTitle('word '.repeat(40));
		expect(long.length).toBeLessThanOrEqual(81);
		expect(long.endsWith('…')).toBe(true);
	});

	it('refuses empty names with a message and keeps long ones whole', () => {
		expect(checkName('   ', 'Project')).toEqual({
			ok: false,
			error: 'Project name cannot be empty.'
		});
		const long = 'x'.repeat(10_000);
		expect(checkName(long, 'Project')).toEqual({ ok: true, name: long });
		expect(checkName(long + 'x', 'Session').ok).toBe(false);
	});

	it('replaceText touches only the span that changed', () => {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		text.insert(0, 'hello world');
		const deltas: unknown[] = [];
		text.observe((e) => deltas.push(e.delta));
		shapes.replaceText(text, 'hello brave world');
		expect(text.toString()).toBe('hello brave world');
		expect(deltas).toEqual([[{ retain: 6 }, { insert: 'brave ' }]]);
	});

	it('[LS5] compaction keeps the content and drops deleted history', () => {
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		const text = doc.getText('draft');
		for (let i = 0; i < 200; i++) text.insert(text.length, 'some typing ');
		text.delete(0, text.length);
		text.insert(0, 'final');
		const compacted = compactUpdates(updates);
		const total = updates.reduce((n, u) => n + u.length, 0);
		expect(compacted.length).toBeLessThan(total / 10);
		const restored = new Y.Doc();
		Y.applyUpdate(restored, compacted);
		expect(restored.getText('draft').toString()).toBe('final');
	});
});
