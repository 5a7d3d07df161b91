import { describe, expect, it } from 'vitest';
import { seeded } from '../../../tests/lib/seeded.js';
import { cutText, graphemeStart, hasLoneSurrogate } from './text.js';
import { deriveTitle } from './title.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemesOf = (text: string) => [...segmenter.segment(text)].map((s) => s.segment);

// Each is one grapheme of more than one UTF-16 unit.
const family = '👩‍👩‍👧'; // woman ZWJ woman ZWJ girl: 8 units
const flag = '🇩🇪'; // two regional indicators: 4 units
const thumb = '👍🏽'; // emoji with a skin-tone modifier: 4 units
const accented = 'e\u0301'; // e + combining acute: 2 units
const grin = '😀'; // a surrogate pair

describe('cutting text between graphemes [TX1]', () => {
	it('[TX1] keeps text that fits whole and never cuts inside a grapheme', () => {
		expect(cutText('short', 10)).toBe('short');
		expect(cutText('ok ' + grin, 4)).toBe('ok ');
		expect(cutText('ok ' + grin, 5)).toBe('ok ' + grin);
		expect(cutText('a' + family + 'b', 5)).toBe('a');
		expect(cutText('a' + family + 'b', 9)).toBe('a' + family);
		expect(cutText(flag + flag, 6)).toBe(flag);
		expect(cutText('x' + thumb, 3)).toBe('x');
		expect(cutText('caf' + accented + '!', 4)).toBe('caf');
		expect(cutText('caf' + accented + '!', 5)).toBe('caf' + accented);
	});

	it('[TX1] cuts right-to-left and CJK text between its characters', () => {
		// Shalom with its vowel points: each point combines with the letter before it.
		const hebrew = 'ש\u05b8\u05c1ל\u05d5\u05b9ם עולם';
		expect(cutText(hebrew, 3)).toBe('ש\u05b8\u05c1');
		expect(cutText(hebrew, 5)).toBe('ש\u05b8\u05c1ל');
		expect(cutText(hebrew, 6)).toBe('ש\u05b8\u05c1ל\u05d5\u05b9');
		expect(cutText('مرحبا بالعالم', 5)).toBe('مرحبا');
		expect(cutText('漢字かな交じり', 3)).toBe('漢字か');
		expect(cutText('𠀀𠀁𠀂', 3)).toBe('𠀀');
	});

	it('[TX1] falls back to a code point boundary only for a grapheme longer than the whole budget', () => {
		const zalgo = 'e' + '\u0301'.repeat(50);
		expect(cutText(zalgo, 10)).toBe(zalgo.slice(0, 10));
		expect(cutText(grin + 'x', 1)).toBe('');
		expect(hasLoneSurrogate(cutText(thumb.repeat(3), 1))).toBe(false);
	});

	it('[TX1] agrees with segmenting the whole text, for random text and budgets', () => {
		const pieces = [
			'a',
			' ',
			grin,
			family,
			flag,
			'🇫🇷',
			thumb,
			accented,
			'\u0308',
			'שלום',
			'مرحبا',
			'漢字',
			'\u200d',
			'🇩',
			'🏽'
		];
		for (let seed = 1; seed <= 200; seed++) {
			const random = seeded(seed);
			let text = '';
			const count = Math.floor(random() * 30);
			for (let i = 0; i < count; i++) text += pieces[Math.floor(random() * pieces.length)];
			const max = Math.floor(random() * (text.length + 2));
			let expected = '';
			for (const g of graphemesOf(text)) {
				if (expected.length + g.length > max) break;
				expected += g;
			}
			const cut = cutText(text, max);
			const why = `seed ${seed}: cutText(${JSON.stringify(text)}, ${max})`;
			if (expected !== '' || text.length <= max) expect(cut, why).toBe(expected);
			expect(hasLoneSurrogate(cut), why).toBe(false);
			expect(text.startsWith(cut), why).toBe(true);
		}
	});

	it('[TX1] finds the grapheme start in a long message by looking only near the cut', () => {
		const long = (family + ' ' + accented + flag).repeat(2000);
		for (const index of [0, 1, 5, 8, 4001, 4003, 4005, long.length - 1]) {
			const whole = segmenter.segment(long).containing(index)?.index;
			expect(graphemeStart(long, index), `index ${index}`).toBe(whole);
		}
		expect(graphemeStart(long, long.length)).toBe(long.length);
	});

	it('[TX1] a lone surrogate is told apart from a pair', () => {
		expect(hasLoneSurrogate('ok ' + grin)).toBe(false);
		expect(hasLoneSurrogate(grin.slice(0, 1))).toBe(true);
		expect(hasLoneSurrogate('a' + grin.slice(1))).toBe(true);
		expect(hasLoneSurrogate(grin.slice(1) + grin.slice(0, 1))).toBe(true);
	});
});

describe('session titles [DS3] [TX1]', () => {
	it('[DS3] [TX1] a long first line is cut at a word near 80 characters, never inside a grapheme', () => {
		const words = `${family} ${flag} ${thumb} caf${accented} שלום مرحبا 漢字 `.repeat(10);
		const title = deriveTitle(words);
		expect(title.endsWith('…')).toBe(true);
		const body = title.slice(0, -1);
		expect(body.length).toBeLessThanOrEqual(80);
		expect(body.length).toBeGreaterThan(40);
		expect(words.startsWith(body)).toBe(true);
		expect(graphemesOf(words).slice(0, graphemesOf(body).length).join('')).toBe(body);
		expect(words[body.length]).toBe(' ');
	});

	it('[DS3] [TX1] a long line without spaces is cut between graphemes', () => {
		for (const unit of [grin, family, flag, thumb, accented, 'ש\u05bc', '漢']) {
			const line = 'x' + unit.repeat(100);
			const body = deriveTitle(line).slice(0, -1);
			expect(body.length, unit).toBeLessThanOrEqual(80);
			expect(body, unit).toBe('x' + unit.repeat((body.length - 1) / unit.length));
			expect(body.length + unit.length, unit).toBeGreaterThan(80);
		}
	});
});
