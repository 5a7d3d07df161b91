/** What a session is called before anyone renames it. */
export const untitledSession = 'New session';

const maxTitleLength = 80;

/**
 * A session's title derived from its first message: the first non-empty line, whitespace
 * collapsed, cut at a word boundary near 80 characters.
 */
export function deriveTitle(firstMessage: string): string {
	const line = firstMessage
		.split('\n')
		.map((l) => l.replace(/\s+/g, ' ').trim())
		.find((l) => l.length > 0);
	if (!line) return untitledSession;
	if (line.length <= maxTitleLength) return line;
	const cut = line.slice(0, maxTitleLength);
	const lastSpace = cut.lastIndexOf(' ');
	return (lastSpace > maxTitleLength / 2 ? cut.slice(0, lastSpace) : cut) + '…';
}
