/**
 * Documents for tests of the sync core: several clients editing texts (emoji, combining marks,
 * right-to-left), maps and arrays, with deletions, synced between them now and then.
 */
import * as Y from 'yjs';
import { expect } from 'vitest';
import { seeded } from './seeded.js';

const pieces = ['hello ', '😀', '👩‍👩‍👧', 'e\u0301', 'שלום ', '```js\nx()\n```\n', 'a'.repeat(300)];

/** Several clients editing texts, maps and arrays, with deletions, synced between them. */
export function busyDoc(seed: number): [Y.Doc, Y.Doc, Y.Doc] {
	const next = seeded(seed);
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

export function applyAll(doc: Y.Doc, updates: Uint8Array[]): void {
	for (const update of updates) Y.applyUpdate(doc, update);
}

export const sameState = (a: Y.Doc, b: Y.Doc) => {
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
