/**
 * The pure half of search: what text of a message is indexed, and the highlighted snippet shown
 * for a hit. Snippets are cut between graphemes, so a result never shows half an emoji.
 */
import { cutText, graphemeStart } from './text.js';

/** Most characters of one message that are indexed (a pasted log is searchable by its start). */
export const maxIndexedLength = 100_000;

export function indexedText(text: string): string {
	return cutText(text, maxIndexedLength);
}

export interface SnippetPart {
	text: string;
	/** A matched word, drawn highlighted. */
	hit: boolean;
}

const before = 60;
const length = 180;

/**
 * Text as search compares it: lower case, without accents and other combining diacritics of
 * Latin, Greek and Cyrillic letters (U+0300-U+036F), so "café" typed composed or decomposed,
 * "cafe" and "CAFÉ" are one word, and "İstanbul" is "istanbul". Marks that carry meaning in
 * their scripts (Hebrew points, Arabic vowels, Indic vowel signs) are other blocks and stay.
 */
export function foldText(text: string): string {
	// Most words are ASCII: nothing to decompose.
	if (ascii.test(text)) return text.toLowerCase();
	return text
		.toLowerCase()
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.normalize('NFC');
}

const ascii = /^[\p{ASCII}]*$/u;

/**
 * `foldText` of one word or character as the index takes it in: indexing folds every word of
 * every message, and words repeat, so each is folded once (a bounded memo of short words only).
 */
export function foldTerm(term: string): string {
	if (term.length > 24) return foldText(term);
	let folded = foldedTerms.get(term);
	if (folded === undefined) {
		folded = foldText(term);
		if (foldedTerms.size >= 10_000) foldedTerms.clear();
		foldedTerms.set(term, folded);
	}
	return folded;
}
const foldedTerms = new Map<string, string>();

/**
 * `text` folded a character at a time, with where each unit of the folded text came from:
 * `origin[k]` is the index in `text` of the character that gave unit k, and `origin` has one
 * more entry, `text.length`. A dropped accent gives no unit, so a match that ends before it
 * maps to an end after it: a highlight never parts a letter from its accent.
 */
function foldWithOrigins(text: string): { folded: string; origin: number[] } {
	let folded = '';
	const origin: number[] = [];
	let at = 0;
	for (const char of text) {
		const piece =
			char.charCodeAt(0) < 0x80 && char.length === 1 ? char.toLowerCase() : foldTerm(char);
		for (let k = 0; k < piece.length; k++) origin.push(at);
		folded += piece;
		at += char.length;
	}
	origin.push(text.length);
	return { folded, origin };
}

/** The [start, end) of each match of `pattern` in `text`, compared folded. */
function* matches(text: string, pattern: RegExp): Generator<[number, number]> {
	const all = new RegExp(pattern.source, 'gu');
	if (ascii.test(text)) {
		// Lower case keeps an ASCII text's length: positions are the text's own.
		for (const match of text.toLowerCase().matchAll(all)) {
			if (match[0].length > 0) yield [match.index, match.index + match[0].length];
		}
		return;
	}
	const { folded, origin } = foldWithOrigins(text);
	for (const match of folded.matchAll(all)) {
		if (match[0].length === 0) continue;
		const end = match.index + match[0].length;
		// An end inside a character's folded units (a letter folded to two) takes the whole character.
		let k = end;
		while (k < folded.length && origin[k] === origin[end - 1]) k++;
		yield [origin[match.index]!, origin[k]!];
	}
}

/**
 * A short piece of `text` around the first of `terms` it holds (compared folded), split into
 * matched and unmatched parts. Without any match, the start of the text.
 */
export function snippet(text: string, terms: string[]): SnippetPart[] {
	const pattern = termPattern(terms);
	const first = pattern ? (matches(text, pattern).next().value?.[0] ?? -1) : -1;
	const start = first > before ? graphemeStart(text, first - before) : 0;
	let piece = cutText(text.slice(start), length).replace(/\s+/g, ' ');
	if (start > 0) piece = '…' + piece.trimStart();
	if (start + length < text.length) piece = piece.trimEnd() + '…';
	return highlight(piece, pattern);
}

/** Splits `text` into the parts that match one of `terms` (compared folded) and the rest. */
export function highlight(text: string, pattern: RegExp | undefined): SnippetPart[] {
	if (!pattern) return [{ text, hit: false }];
	const parts: SnippetPart[] = [];
	let at = 0;
	for (const [start, end] of matches(text, pattern)) {
		if (start < at) continue;
		if (start > at) parts.push({ text: text.slice(at, start), hit: false });
		parts.push({ text: text.slice(start, end), hit: true });
		at = end;
	}
	if (at < text.length) parts.push({ text: text.slice(at), hit: false });
	return parts;
}

/** A pattern of the folded `terms`, to match against folded text. */
export function termPattern(terms: string[]): RegExp | undefined {
	const words = [...new Set(terms.map(foldText).filter((t) => t.length > 0))].sort(
		(a, b) => b.length - a.length
	);
	if (words.length === 0) return undefined;
	return new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'u');
}

/** The words of a query, folded, as the index splits them (spaces and punctuation separate words). */
export function queryTerms(query: string): string[] {
	return foldText(query)
		.split(/[\n\r\p{Z}\p{P}]+/u)
		.filter((t) => t.length > 0);
}
