import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { mapIndex, type TextDeltaStep } from './map-index.js';

/** The delta Yjs reports for an edit of `text`, as a remote change would bring it. */
function deltaOf(text: string, edit: (t: Y.Text) => void): TextDeltaStep[] {
	const doc = new Y.Doc();
	const t = doc.getText('t');
	t.insert(0, text);
	let delta: TextDeltaStep[] = [];
	t.observe((event) => (delta = event.delta as TextDeltaStep[]));
	edit(t);
	return delta;
}

describe('[CL14] mapIndex: a cursor through a change made elsewhere', () => {
	const text = 'hello world';

	it('stays put when the change is after it', () => {
		expect(
			mapIndex(
				5,
				deltaOf(text, (t) => t.insert(11, '!'))
			)
		).toBe(5);
		expect(
			mapIndex(
				5,
				deltaOf(text, (t) => t.delete(6, 5))
			)
		).toBe(5);
	});

	it('moves by what was inserted or deleted before it', () => {
		expect(
			mapIndex(
				5,
				deltaOf(text, (t) => t.insert(0, '> '))
			)
		).toBe(7);
		expect(
			mapIndex(
				8,
				deltaOf(text, (t) => t.delete(0, 6))
			)
		).toBe(2);
		// Astral characters count as the two code units a textarea counts.
		expect(
			mapIndex(
				5,
				deltaOf(text, (t) => t.insert(0, '😀👨‍👩‍👧'))
			)
		).toBe(5 + 2 + 8);
	});

	it('keeps text inserted at the cursor after it', () => {
		expect(
			mapIndex(
				5,
				deltaOf(text, (t) => t.insert(5, ', dear'))
			)
		).toBe(5);
	});

	it('moves a cursor inside deleted text to where the deletion was', () => {
		expect(
			mapIndex(
				8,
				deltaOf(text, (t) => t.delete(6, 5))
			)
		).toBe(6);
		expect(
			mapIndex(
				11,
				deltaOf(text, (t) => t.delete(6, 5))
			)
		).toBe(6);
	});

	it('follows several changes of one transaction', () => {
		const delta = deltaOf(text, (t) =>
			t.doc!.transact(() => {
				t.insert(0, 'שלום ');
				t.delete(5 + 6, 5);
				t.insert(5 + 6, 'there');
			})
		);
		// "hello |world": the cursor was at the start of the replaced word.
		expect(mapIndex(6, delta)).toBe(11);
		expect(mapIndex(2, delta)).toBe(7);
	});

	it('moves nothing for an empty change, and a cursor at 0 stays before text inserted there', () => {
		expect(mapIndex(11, [])).toBe(11);
		expect(
			mapIndex(
				0,
				deltaOf(text, (t) => t.insert(0, 'x'))
			)
		).toBe(0);
	});
});
