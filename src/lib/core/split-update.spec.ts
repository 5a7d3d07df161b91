/**
 * [SY67] A large update is sent as parts under the frame budget that, applied in order, leave the
 * document exactly as the whole update would.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { splitUpdate } from './split-update.js';
import { defaultUpdateLimits, measureUpdate, UpdateLimitError } from './update-shape.js';

/** A seeded generator, so a failure names the case that made it. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const pieces = ['hello ', '😀', '👩‍👩‍👧', 'e\u0301', 'שלום ', '```js\nx()\n```\n', 'a'.repeat(300)];

/** Several clients editing texts, maps and arrays, with deletions, synced between them. */
function busyDoc(seed: number): [Y.Doc, Y.Doc, Y.Doc] {
	const next = random(seed);
	const docs: [Y.Doc, Y.Doc, Y.Doc] = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
	const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
	for (let step = 0; step < 400; step++) {
		const doc = pick(docs);
		const text = doc.getText('text');
		const choice = next();
		if (choice < 0.4) {
			const piece = pick(pieces);
			text.insert(Math.floor(next() * (text.length + 1)), piece);
		} else if (choice < 0.55 && text.length > 4) {
			const at = Math.floor(next() * (text.length - 2));
			text.delete(at, 1 + Math.floor(next() * 2));
		} else if (choice < 0.75) {
			const message = new Y.Map<unknown>();
			doc.getArray<Y.Map<unknown>>('messages').push([message]);
			message.set('text', new Y.Text(pieces[step % pieces.length]!));
			message.set('n', step);
			message.set('meta', { tags: ['a', step], nested: { ok: true } });
		} else if (choice < 0.85) {
			doc.getMap('settings').set(`k${Math.floor(next() * 20)}`, next());
		} else {
			const array = doc.getArray('messages');
			if (array.length > 0) array.delete(Math.floor(next() * array.length), 1);
		}
		if (next() < 0.2) {
			const other = pick(docs);
			Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other)));
		}
	}
	return docs;
}

function applyAll(doc: Y.Doc, updates: Uint8Array[]): void {
	for (const update of updates) Y.applyUpdate(doc, update);
}

const sameState = (a: Y.Doc, b: Y.Doc) => {
	expect(b.getText('text').toString()).toBe(a.getText('text').toString());
	expect(b.getArray('messages').toJSON()).toEqual(a.getArray('messages').toJSON());
	expect(b.getMap('settings').toJSON()).toEqual(a.getMap('settings').toJSON());
	expect(Y.encodeStateVector(b)).toEqual(Y.encodeStateVector(a));
	// Nothing left pending: every part found what it builds on.
	expect(b.store.pendingStructs).toBeNull();
	expect(b.store.pendingDs).toBeNull();
	// The same deletions, too: nothing in A that B still shows.
	expect(Y.encodeStateAsUpdate(b)).toEqual(Y.encodeStateAsUpdate(a));
};

describe('[SY67] splitUpdate', () => {
	it('leaves an update under the budget whole', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'small');
		const update = Y.encodeStateAsUpdate(doc);
		expect(splitUpdate(update, 1024)).toEqual([update]);
	});

	for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
		it(`parts applied in order equal the whole (seed ${seed})`, () => {
			const [a, b] = busyDoc(seed);
			Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
			const whole = Y.encodeStateAsUpdate(a);
			const budget = 200 + seed * 150;
			const parts = splitUpdate(whole, budget);
			expect(parts.length).toBeGreaterThan(3);
			// Only a part holding one struct bigger than the budget may be over it.
			for (const part of parts) {
				if (part.byteLength > budget) expect(part.byteLength).toBeLessThan(budget + 400);
			}
			const fresh = new Y.Doc();
			applyAll(fresh, parts);
			sameState(a, fresh);
		});

		it(`a first sync's diff, split, brings a replica that has part of it up to date (seed ${seed})`, () => {
			const [a, b, c] = busyDoc(seed + 100);
			Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
			Y.applyUpdate(a, Y.encodeStateAsUpdate(c));
			const diff = Y.encodeStateAsUpdate(a, Y.encodeStateVector(c));
			applyAll(c, splitUpdate(diff, 300));
			sameState(a, c);
		});
	}

	it('cuts no string: emoji and combining marks arrive whole', () => {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		// Inserted at the start each time, so every piece stays a struct of its own.
		for (let i = 0; i < 200; i++) text.insert(0, `${i}😀e\u0301👩‍👩‍👧 `);
		const parts = splitUpdate(Y.encodeStateAsUpdate(doc), 256);
		expect(parts.length).toBeGreaterThan(10);
		const fresh = new Y.Doc();
		applyAll(fresh, parts);
		expect(fresh.getText('t').toString()).toBe(text.toString());
	});

	it('[HD1] keeps each part under the struct budget too, so every frame is under the server limit', () => {
		const doc = new Y.Doc();
		const map = doc.getMap('m');
		// Small keys: 6,000 structs fit in far less than the byte budget.
		doc.transact(() => {
			for (let i = 0; i < 6_000; i++) map.set(`k${i}`, i);
		});
		const whole = Y.encodeStateAsUpdate(doc);
		const limits = { ...defaultUpdateLimits, maxStructs: 2_000 };
		expect(whole.byteLength).toBeLessThan(1024 * 1024);
		expect(() => measureUpdate(whole, limits)).toThrow(UpdateLimitError);
		const parts = splitUpdate(whole, 1024 * 1024, 2_000);
		expect(parts).toHaveLength(3);
		for (const part of parts)
			expect(measureUpdate(part, limits).structs).toBeLessThanOrEqual(2_000);
		const fresh = new Y.Doc();
		applyAll(fresh, parts);
		sameState(doc, fresh);
	});

	it('refuses bytes that are not an update', () => {
		expect(() => splitUpdate(new Uint8Array(2000).fill(7), 100)).toThrow();
	});
});
