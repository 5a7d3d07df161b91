/**
 * [SY67] A large update is sent as parts under the frame budget that, applied in order, leave the
 * document exactly as the whole update would.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { splitUpdate } from './split-update.js';
import { defaultUpdateLimits, measureUpdate, UpdateLimitError } from './update-shape.js';
import { applyAll, busyDoc, sameState } from '../../../tests/lib/busy-doc.js';

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
