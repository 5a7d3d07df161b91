import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { seeded } from '../../../tests/lib/seeded.js';
import { replaceText } from './shapes.js';
import { hasLoneSurrogate } from './text.js';

/*
 * [DS5] A text field's new value reaches every replica exactly as typed. replaceText sees only
 * the field's old and new value, as the composer's binding does, and must find the changed span
 * without ending it inside a surrogate pair.
 */

// What people type, picked so that neighbours often share code units: emoji that share a high
// surrogate, ZWJ sequences and their parts, flags and loose regional indicators, skin tones,
// combining marks, right-to-left letters and marks, CJK (also beyond the BMP), ASCII. 𠀀, 🐀
// and 𝐀 share their low surrogate instead, so a common suffix can start inside a pair too.
const pieces = [
	'a',
	'ok',
	' ',
	'\n',
	'😀',
	'😃',
	'😄',
	'🙂',
	'🎉',
	'𝄞',
	'👩‍👩‍👧',
	'👨‍💻',
	'\u200d',
	'🇩🇪',
	'🇫🇷',
	'🇩',
	'👍🏽',
	'🏽',
	'e\u0301',
	'\u0301',
	'\u0308',
	'❤️',
	'\ufe0f',
	'שלום',
	'مرحبا',
	'\u200f',
	'漢字',
	'かな',
	'한국어',
	'𠀀',
	'🐀',
	'𝐀'
];

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T =>
	items[Math.floor(random() * items.length)] as T;

function typed(random: Random): string {
	let text = '';
	const count = 1 + Math.floor(random() * 3);
	for (let i = 0; i < count; i++) text += pick(random, pieces);
	return text;
}

/** A place a cursor can be: between graphemes, between code points, or any code unit moved
 *  off the middle of a surrogate pair (no field puts a cursor there). */
function position(random: Random, text: string): number {
	const kind = random();
	if (kind < 0.3) {
		const starts = [...segmenter.segment(text)].map((s) => s.index);
		return pick(random, [...starts, text.length]);
	}
	if (kind < 0.6) {
		const points = [...text];
		const n = Math.floor(random() * (points.length + 1));
		return points.slice(0, n).join('').length;
	}
	const unit = Math.floor(random() * (text.length + 1));
	const insidePair =
		/[\uD800-\uDBFF]/.test(text[unit - 1] ?? '') && /[\uDC00-\uDFFF]/.test(text[unit] ?? '');
	return insidePair ? unit + (random() < 0.5 ? -1 : 1) : unit;
}

interface Edit {
	from: number;
	to: number;
	insert: string;
}

function randomEdit(random: Random, text: string): Edit {
	const a = position(random, text);
	const b = random() < 0.4 ? a : position(random, text);
	const [from, to] = a <= b ? [a, b] : [b, a];
	const kind = random();
	// Insert at a cursor, delete a selection, or type over a selection.
	if (kind < 0.5) return { from: a, to: a, insert: typed(random) };
	if (kind < 0.75) return { from, to, insert: '' };
	return { from, to, insert: typed(random) };
}

const apply = (text: string, e: Edit) => text.slice(0, e.from) + e.insert + text.slice(e.to);

/** Two replicas whose updates are delivered to each other after every edit. */
function replicas() {
	const a = new Y.Doc();
	const b = new Y.Doc();
	const toB: Uint8Array[] = [];
	const toA: Uint8Array[] = [];
	a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && toB.push(u));
	b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && toA.push(u));
	const flush = () => {
		for (const u of toB.splice(0)) Y.applyUpdate(b, u, 'remote');
		for (const u of toA.splice(0)) Y.applyUpdate(a, u, 'remote');
	};
	return { a: a.getText('draft'), b: b.getText('draft'), flush };
}

/** How many code units the transaction on `text` deleted and inserted. */
function changedSpan(text: Y.Text, change: () => void): { deleted: number; inserted: number } {
	let deleted = 0;
	let inserted = 0;
	const observer = (event: Y.YTextEvent) => {
		for (const op of event.delta) {
			if (typeof op.delete === 'number') deleted += op.delete;
			if (typeof op.insert === 'string') inserted += op.insert.length;
		}
	};
	text.observe(observer);
	change();
	text.unobserve(observer);
	return { deleted, inserted };
}

function runSeed(seed: number, steps: number): void {
	const random = seeded(seed);
	const { a, b, flush } = replicas();
	let text = '';
	for (let step = 0; step < steps; step++) {
		const edit = randomEdit(random, text);
		const next = apply(text, edit);
		const where = `seed ${seed}, step ${step}: ${JSON.stringify(text)} -> ${JSON.stringify(next)}`;
		expect(hasLoneSurrogate(next), `the generator typed broken text at ${where}`).toBe(false);
		// Mostly A types, sometimes B: both replicas' binding goes through replaceText.
		const typist = random() < 0.75 ? a : b;
		const span = changedSpan(typist, () => replaceText(typist, next));
		flush();
		expect(a.toString(), `A at ${where}`).toBe(next);
		expect(b.toString(), `B at ${where}`).toBe(next);
		expect(hasLoneSurrogate(a.toString()) || hasLoneSurrogate(b.toString()), where).toBe(false);
		// [DS4] only the changed span: never more than the edit itself touched.
		expect(span.deleted, `deleted at ${where}`).toBeLessThanOrEqual(edit.to - edit.from);
		expect(span.inserted, `inserted at ${where}`).toBeLessThanOrEqual(edit.insert.length);
		text = next;
	}
}

describe('edits never split a code point [DS5]', () => {
	it('[DS5] an emoji typed next to one that shares a surrogate with it arrives whole', () => {
		const { a, b, flush } = replicas();
		replaceText(a, 'ok 😃');
		flush();
		replaceText(a, 'ok 😀😃');
		flush();
		expect(a.toString()).toBe('ok 😀😃');
		expect(b.toString()).toBe('ok 😀😃');
		// And the other way round: deleting the first of two such emoji.
		replaceText(b, 'ok 😃');
		flush();
		expect(a.toString()).toBe('ok 😃');
		// 𠀀 and 🐀 share their low surrogate: typing one over the other must not keep half of it.
		replaceText(a, 'ok 𠀀!');
		replaceText(a, 'ok 🐀!');
		flush();
		expect([a.toString(), b.toString()]).toEqual(['ok 🐀!', 'ok 🐀!']);
	});

	it('[DS5] ZWJ sequences, flags, skin tones and accents are edited in place on both replicas', () => {
		const { a, b, flush } = replicas();
		const steps = [
			'👩‍👧',
			'👩‍👩‍👧',
			'👩‍👩‍👧🇩🇪',
			'👩‍👩‍👧🇩🇪🇫🇷',
			'👍👩‍👩‍👧🇫🇷',
			'👍🏽👩‍👩‍👧🇫🇷',
			'e👍🏽',
			'e\u0301👍🏽',
			'שלום e\u0301'
		];
		for (const step of steps) {
			replaceText(a, step);
			flush();
			expect([a.toString(), b.toString()], step).toEqual([step, step]);
		}
	});

	it('[DS5] random edits of random Unicode: every replica holds exactly the typed text', () => {
		for (let seed = 1; seed <= 200; seed++) runSeed(seed, 60);
	});
});
