/**
 * [SY68] A sync step 2 is encoded a part at a time: each part is a bounded piece of work, and the
 * parts applied in order leave the peer exactly where the whole `encodeStateAsUpdate` would.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { stateAsUpdateParts } from './state-parts.js';
import { defaultUpdateLimits, measureUpdate } from './update-shape.js';
import { applyAll, busyDoc, sameState } from '../../../tests/lib/busy-doc.js';
import { seeded } from '../../../tests/lib/seeded.js';

const noLimits = { ...defaultUpdateLimits, maxStructs: Infinity };
const structsIn = (part: Uint8Array) => measureUpdate(part, noLimits).structs;

describe('[SY68] stateAsUpdateParts', () => {
	it('gives a small document in one part that equals the whole update', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'small 😀');
		doc.getText('t').delete(0, 2);
		const parts = [...stateAsUpdateParts(doc, Y.encodeStateVector(new Y.Doc()), 1024, 100)];
		expect(parts).toHaveLength(1);
		expect(parts[0]).toEqual(Y.encodeStateAsUpdate(doc));
	});

	it('gives one part with the delete set alone when the peer has every struct', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'abc');
		doc.getText('t').delete(1, 1);
		const parts = [...stateAsUpdateParts(doc, Y.encodeStateVector(doc), 1024, 100)];
		expect(parts).toEqual([Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))]);
	});

	for (const seed of [1, 2, 3, 4, 5, 6]) {
		it(`parts applied in order bring a fresh peer and a partial one up to date (seed ${seed})`, () => {
			const [a, b, c] = busyDoc(seed);
			Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
			Y.applyUpdate(a, Y.encodeStateAsUpdate(c));
			const maxStructs = 5 + seed * 7;
			const maxBytes = 300 + seed * 100;
			const parts = [
				...stateAsUpdateParts(a, Y.encodeStateVector(new Y.Doc()), maxBytes, maxStructs)
			];
			expect(parts.length).toBeGreaterThan(5);
			for (const part of parts) {
				expect(structsIn(part)).toBeLessThanOrEqual(maxStructs);
				// Only a part that ends on one struct bigger than the rest of the budget goes over.
				expect(part.byteLength).toBeLessThan(maxBytes + 600);
			}
			const fresh = new Y.Doc();
			applyAll(fresh, parts);
			sameState(a, fresh);

			applyAll(c, [...stateAsUpdateParts(a, Y.encodeStateVector(c), maxBytes, maxStructs)]);
			sameState(a, c);
		});
	}

	it('starts in the middle of a struct the peer has the first half of', () => {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		text.insert(0, 'abc😀');
		const peer = new Y.Doc();
		Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
		// Typed on at the end: Yjs merges it into the same struct the peer has half of.
		text.insert(text.length, 'def👩‍👩‍👧');
		expect(doc.store.clients.get(doc.clientID)).toHaveLength(1);
		applyAll(peer, [...stateAsUpdateParts(doc, Y.encodeStateVector(peer), 1024, 100)]);
		expect(peer.getText('t').toString()).toBe('abc😀def👩‍👩‍👧');
	});

	it('stays right when the document changes between parts (an edit splits a struct being sent)', () => {
		const next = seeded(42);
		const doc = new Y.Doc();
		const text = doc.getText('t');
		const list = doc.getArray<Y.Map<unknown>>('messages');
		for (let i = 0; i < 60; i++) {
			text.insert(text.length, `line ${i} 😀 שלום e\u0301\n`);
			const message = new Y.Map<unknown>();
			list.push([message]);
			message.set('text', new Y.Text(`message ${i} 👩‍👩‍👧`));
		}
		const peer = new Y.Doc();
		// What the provider sends besides the parts: each change made meanwhile, as it was made.
		const meanwhile: Uint8Array[] = [];
		doc.on('update', (update: Uint8Array) => meanwhile.push(update));
		const parts = stateAsUpdateParts(doc, Y.encodeStateVector(peer), 400, 10);
		let steps = 0;
		for (const part of parts) {
			Y.applyUpdate(peer, part);
			steps++;
			// Edits in the middle of what is being sent, deletions across it, new content at the end.
			const at = Math.floor(next() * text.length);
			if (steps % 3 === 0) text.delete(at, Math.min(5, text.length - at));
			else text.insert(at, `edit ${steps} ✨`);
			if (steps % 4 === 0 && list.length > 1) list.delete(Math.floor(next() * list.length), 1);
			while (meanwhile.length > 0) Y.applyUpdate(peer, meanwhile.shift()!);
		}
		expect(steps).toBeGreaterThan(10);
		expect(peer.getText('t').toString()).toBe(text.toString());
		expect(peer.getArray('messages').toJSON()).toEqual(list.toJSON());
		expect(Y.encodeStateVector(peer)).toEqual(Y.encodeStateVector(doc));
		expect(peer.store.pendingStructs).toBeNull();
	});

	it('writes each step only when asked: a big document is many bounded steps', () => {
		const doc = new Y.Doc();
		const map = doc.getMap('m');
		doc.transact(() => {
			for (let i = 0; i < 5_000; i++) map.set(`k${i}`, i);
		});
		const parts = stateAsUpdateParts(doc, Y.encodeStateVector(new Y.Doc()), 1024 * 1024, 2_000);
		const first = parts.next();
		expect(first.done).toBe(false);
		expect(structsIn(first.value as Uint8Array)).toBe(2_000);
		const rest = [...parts];
		expect(rest.map(structsIn)).toEqual([2_000, 1_000]);
		const fresh = new Y.Doc();
		applyAll(fresh, [first.value as Uint8Array, ...rest]);
		sameState(doc, fresh);
	});
});
