import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
	defaultUpdateLimits,
	measureUpdate,
	UpdateLimitError,
	UpdateShapeError,
	type UpdateLimits
} from './update-shape.js';

const unlimited: UpdateLimits = {
	maxStructs: Infinity,
	maxValues: Infinity,
	maxDeleteRanges: Infinity,
	maxDepth: Infinity
};

function everyKindOfContent(): Uint8Array {
	const doc = new Y.Doc();
	const text = doc.getText('t');
	text.insert(0, 'hello 😀 world');
	text.format(0, 3, { bold: true });
	text.insertEmbed(2, { image: 'x' });
	const list = doc.getArray('a');
	list.push([1, 'x', { a: [1, { b: null }] }, new Uint8Array([1, 2]), true, 2.5]);
	const nested = new Y.Map();
	list.push([nested]);
	nested.set('x', new Y.Text('hi'));
	nested.set('doc', new Y.Doc());
	const xml = doc.getXmlFragment('x');
	const element = new Y.XmlElement('p');
	xml.push([element]);
	element.setAttribute('a', 'b');
	// A hook is a content type of its own; Yjs' types do not list it among an element's children.
	element.push([new Y.XmlText('t'), new Y.XmlHook('h') as unknown as Y.XmlText]);
	text.delete(1, 3);
	doc.getMap('m').set('k', 1);
	doc.getMap('m').delete('k');
	return Y.encodeStateAsUpdate(doc);
}

function mapWithKeys(n: number): Uint8Array {
	const doc = new Y.Doc();
	const map = doc.getMap('m');
	doc.transact(() => {
		for (let i = 0; i < n; i++) map.set(`k${i}`, i);
	});
	return Y.encodeStateAsUpdate(doc);
}

describe('[HD1] counting an update before decoding it', () => {
	it('[HD1] counts the structs Yjs decodes, for every kind of content, and the delete set', () => {
		const update = everyKindOfContent();
		const shape = measureUpdate(update, unlimited);
		const decoded = Y.decodeUpdate(update);
		expect(shape.structs).toBe(decoded.structs.length);
		let ranges = 0;
		for (const list of decoded.ds.clients.values()) ranges += list.length;
		expect(shape.deleteRanges).toBe(ranges);
		expect(shape.values).toBeGreaterThan(7);
	});

	it('[HD1] agrees with Yjs on seeded random documents', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (let round = 0; round < 50; round++) {
			const doc = new Y.Doc();
			const text = doc.getText('t');
			for (let i = 0; i < 40; i++) {
				if (random() < 0.3 && text.length > 2) text.delete(Math.floor(random() * text.length), 1);
				else text.insert(Math.floor(random() * (text.length + 1)), 'ab');
				doc.getMap('m').set(`k${i % 5}`, { n: i });
			}
			const update = Y.encodeStateAsUpdate(doc);
			expect(measureUpdate(update, unlimited).structs).toBe(Y.decodeUpdate(update).structs.length);
		}
	});

	it('[HD1] refuses a map with more keys than one update may carry, at the header', () => {
		const update = mapWithKeys(defaultUpdateLimits.maxStructs + 1);
		expect(() => measureUpdate(update)).toThrow(UpdateLimitError);
		// The refusal is at the struct count in the header: a cut-off body is refused the same.
		const cut = update.slice(0, 64);
		expect(() => measureUpdate(cut)).toThrow(UpdateLimitError);
		expect(() => measureUpdate(mapWithKeys(1000))).not.toThrow();
	});

	it('[HD1] refuses too many values, too deep a value and too many deletions', () => {
		const doc = new Y.Doc();
		doc.getArray('a').push(Array.from({ length: 50 }, (_, i) => i));
		const values = Y.encodeStateAsUpdate(doc);
		expect(() => measureUpdate(values, { ...unlimited, maxValues: 49 })).toThrow(
			expect.objectContaining({ limit: 'maxValues' })
		);
		let deep: unknown = 1;
		for (let i = 0; i < 40; i++) deep = [deep];
		const deepDoc = new Y.Doc();
		deepDoc.getArray('a').push([deep]);
		expect(() => measureUpdate(Y.encodeStateAsUpdate(deepDoc))).toThrow(
			expect.objectContaining({ limit: 'maxDepth' })
		);
		const text = new Y.Doc();
		text.getText('t').insert(0, 'abcdefghij');
		for (let i = 0; i < 5; i++) text.getText('t').delete(i, 1);
		const deletions = Y.encodeStateAsUpdate(text);
		expect(() => measureUpdate(deletions, { ...unlimited, maxDeleteRanges: 1 })).toThrow(
			expect.objectContaining({ limit: 'maxDeleteRanges' })
		);
	});

	it('[HD1] says "not an update" for cut-off bytes, trailing bytes and unknown content', () => {
		const update = everyKindOfContent();
		expect(() => measureUpdate(update.slice(0, update.length - 3))).toThrow(UpdateShapeError);
		expect(() => measureUpdate(new Uint8Array([...update, 0]))).toThrow(UpdateShapeError);
		// One client, one struct, client 1, clock 0, info 11 (no such content).
		expect(() => measureUpdate(new Uint8Array([1, 1, 1, 0, 11, 0]))).toThrow(UpdateShapeError);
	});
});
