/**
 * [LB8] An imported session is written a slice at a time, each slice one transaction, and the
 * slices together make exactly the document one transaction would.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { ExportedMessage, ExportedSession } from '../export/schema.js';
import * as shapes from '../shapes.js';
import { writeSession, writeSessionInSlices } from './write-session.js';

function session(count: number): ExportedSession {
	const messages: ExportedMessage[] = [];
	for (let i = 0; i < count; i += 2) {
		messages.push({
			id: `q${i}`,
			role: 'user',
			text: `question ${i} 😀 שלום e\u0301`,
			createdAt: i
		});
		messages.push({
			id: `a${i}`,
			role: 'assistant',
			text: `answer ${i} 👩‍👩‍👧`,
			createdAt: i + 1,
			replyTo: `q${i}`,
			status: 'done'
		});
	}
	return { title: 'Sliced', renamed: false, createdAt: 0, lastActivity: count, messages };
}

const counter = () => {
	let n = 0;
	return () => `id${n++}`;
};

describe('[LB8] writeSessionInSlices', () => {
	it('writes a slice per step, one transaction each, into the document one transaction makes', () => {
		const whole = new Y.Doc();
		writeSession(whole, 'p', session(40), counter());

		const sliced = new Y.Doc();
		// The message list changes once per transaction that writes to it.
		let writes = 0;
		shapes.messages(sliced).observe(() => writes++);
		const steps = writeSessionInSlices(sliced, 'p', session(40), counter(), 200);
		let yielded = 0;
		for (const _ of steps) {
			yielded++;
			// Between steps the document holds the slices written so far, in order.
			expect(shapes.messages(sliced).length).toBeGreaterThan(0);
			expect(shapes.messages(sliced).length).toBeLessThan(40);
		}
		expect(yielded).toBeGreaterThan(3);
		expect(writes).toBe(yielded + 1);
		expect(sliced.getMap('meta').toJSON()).toEqual(whole.getMap('meta').toJSON());
		// Answers in a later slice than their question keep their link.
		expect(shapes.messages(sliced).toJSON()).toEqual(shapes.messages(whole).toJSON());
	});

	it('makes a session of no messages a session all the same', () => {
		const doc = new Y.Doc();
		expect([...writeSessionInSlices(doc, 'p', session(0), counter())]).toHaveLength(0);
		expect(doc.getMap('meta').get('projectId')).toBe('p');
	});
});
