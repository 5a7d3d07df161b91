import { cutText } from '../text.js';

/** Most characters of a tool result sent back to Claude; the rest is cut with a note. */
export const MAX_RESULT_CHARS = 40_000;
/** Longest line shown by read_file and search_files. */
export const MAX_LINE_CHARS = 2000;

/** Cuts a result that is too long, on a grapheme boundary, and says how much was left out. */
export function cutResult(text: string, max = MAX_RESULT_CHARS): string {
	if (text.length <= max) return text;
	const kept = cutText(text, max);
	return `${kept}\n\n[Output cut: ${text.length - kept.length} more characters were left out. Narrow the request (offset and limit, a narrower glob or pattern) to see the rest.]`;
}

/** One line for display, cut when it is very long. */
export function cutLine(line: string, max = MAX_LINE_CHARS): string {
	return line.length <= max ? line : `${cutText(line, max)}… [line cut]`;
}

export function lineCount(text: string): number {
	if (text === '') return 0;
	return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** How many times `needle` occurs in `text`, counting no further than `stop`. */
export function occurrences(text: string, needle: string, stop = Infinity): number {
	let count = 0;
	for (
		let at = text.indexOf(needle);
		at >= 0 && count < stop;
		at = text.indexOf(needle, at + needle.length)
	) {
		count++;
	}
	return count;
}
