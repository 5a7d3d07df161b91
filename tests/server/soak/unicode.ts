/**
 * Random text for the soak's edits: the Unicode that breaks naive code (surrogate pairs, ZWJ
 * sequences, combining marks, right-to-left scripts), drawn from a seeded generator.
 */
const pieces = [
	'hello',
	' ',
	'world ',
	'\n',
	'😀',
	'🎉',
	'👍🏽',
	'👩‍👩‍👧‍👦',
	'🏳️‍🌈',
	'🧑🏿‍💻',
	'🇫🇷',
	'e\u0301',
	'n\u0303',
	'a\u0308\u0323',
	'שלום',
	'مرحبا',
	'\u200f',
	'日本語',
	'𝔘𝔫𝔦',
	'Ω≈ç',
	'.'
];

const pick = <T>(random: () => number, items: readonly T[]): T =>
	items[Math.floor(random() * items.length)]!;

/** A short random string of 1 to `max` pieces. */
export function randomText(random: () => number, max = 4): string {
	let text = '';
	const n = 1 + Math.floor(random() * max);
	for (let i = 0; i < n; i++) text += pick(random, pieces);
	return text;
}

/**
 * A random position in `text` that does not fall inside a surrogate pair, as a UTF-16 index
 * (what Y.Text counts in). Grapheme clusters may be split, as a person's cursor can.
 */
export function codePointBoundary(text: string, random: () => number): number {
	const points = Array.from(text);
	const at = Math.floor(random() * (points.length + 1));
	return points.slice(0, at).join('').length;
}

/** UTF-16 length of `count` code points starting at UTF-16 index `from`. */
export function codePointSpan(text: string, from: number, count: number): number {
	return Array.from(text.slice(from)).slice(0, count).join('').length;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No half of a surrogate pair alone, and no U+FFFD (what Yjs leaves of a split pair). */
export function wellFormed(text: string): boolean {
	return !loneSurrogate.test(text) && !text.includes('\uFFFD');
}
