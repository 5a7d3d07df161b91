/**
 * Cutting text a person wrote. A cut by UTF-16 index can split a surrogate pair (half an emoji
 * shows as �) or a grapheme (a flag into two letters, 👩‍👩‍👧 into single people, é into e and a
 * loose accent); these cut only between graphemes, what a person sees as one character.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds half of a surrogate pair: something cut it, or it is not text. */
export function hasLoneSurrogate(text: string): boolean {
	return loneSurrogate.test(text);
}

/** The largest grapheme boundary at or before the UTF-16 index `index`. */
export function graphemeStart(text: string, index: number): number {
	if (index >= text.length) return text.length;
	if (index <= 0) return 0;
	// Whether a boundary falls at some place depends on what comes before it and on one code point
	// after it (UAX #29), so the text up to one code point past `index` decides. Segmenting only
	// that keeps a cut of a multi-megabyte message as cheap as a cut of a short one.
	return graphemes.segment(text.slice(0, index + 2)).containing(index)?.index ?? index;
}

/**
 * The longest start of `text` that is at most `maxLength` UTF-16 code units and ends between
 * graphemes. Only a single grapheme longer than the whole budget (made-up text such as an `e`
 * with thousands of accents) is cut inside, and then still between code points.
 */
export function cutText(text: string, maxLength: number): string {
	if (text.length <= maxLength) return text;
	const end = graphemeStart(text, maxLength);
	if (end > 0) return text.slice(0, end);
	return text.slice(0, isLowSurrogate(text, maxLength) ? maxLength - 1 : maxLength);
}

function isLowSurrogate(text: string, index: number): boolean {
	const unit = text.charCodeAt(index);
	return unit >= 0xdc00 && unit <= 0xdfff;
}
