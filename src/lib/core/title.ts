import { cutText, graphemeStart } from './text.js';

/** What a session is called before anyone renames it. */
export const untitledSession = 'New session';

const maxTitleLength = 80;

/**
 * A session's title derived from its first message: the first non-empty line, whitespace
 * collapsed, cut between graphemes at a word boundary near 80 characters (UTF-16 units).
 */
export function deriveTitle(firstMessage: string): string {
	const line = firstMessage
		.split('\n')
		.map((l) => l.replace(/\s+/g, ' ').trim())
		.find((l) => l.length > 0);
	if (!line) return untitledSession;
	if (line.length <= maxTitleLength) return line;
	const cut = cutText(line, maxTitleLength);
	// A space almost always starts a grapheme; after a prepended mark (U+0600) it does not.
	const lastSpace = graphemeStart(cut, cut.lastIndexOf(' '));
	return (lastSpace > maxTitleLength / 2 ? cut.slice(0, lastSpace).trimEnd() : cut) + '…';
}
