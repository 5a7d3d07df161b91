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
 * A short piece of `text` around the first of `terms` it holds (case-insensitive), split into
 * matched and unmatched parts. Without any match, the start of the text.
 */
export function snippet(text: string, terms: string[]): SnippetPart[] {
	const pattern = termPattern(terms);
	const first = pattern ? text.search(pattern) : -1;
	const start = first > before ? graphemeStart(text, first - before) : 0;
	let piece = cutText(text.slice(start), length).replace(/\s+/g, ' ');
	if (start > 0) piece = '…' + piece.trimStart();
	if (start + length < text.length) piece = piece.trimEnd() + '…';
	return highlight(piece, pattern);
}

/** Splits `text` into the parts that match one of `terms` and the rest. */
export function highlight(text: string, pattern: RegExp | undefined): SnippetPart[] {
	if (!pattern) return [{ text, hit: false }];
	const parts: SnippetPart[] = [];
	let at = 0;
	for (const match of text.matchAll(new RegExp(pattern.source, 'giu'))) {
		const index = match.index;
		if (match[0].length === 0) continue;
		if (index > at) parts.push({ text: text.slice(at, index), hit: false });
		parts.push({ text: match[0], hit: true });
		at = index + match[0].length;
	}
	if (at < text.length) parts.push({ text: text.slice(at), hit: false });
	return parts;
}

export function termPattern(terms: string[]): RegExp | undefined {
	const words = [...new Set(terms.filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
	if (words.length === 0) return undefined;
	return new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'iu');
}

/** The words of a query, as the index splits them (spaces and punctuation separate words). */
export function queryTerms(query: string): string[] {
	return query
		.toLowerCase()
		.split(/[\n\r\p{Z}\p{P}]+/u)
		.filter((t) => t.length > 0);
}
