/**
 * Work of this device that a deletion made on another device discarded: changes the server had
 * not stored yet (a draft, messages written offline). Deleted things stay deleted, but the person
 * is told. Held in memory only: a deleted title must not be written anywhere again.
 */
export interface LostWork {
	kind: 'session' | 'project';
	/** The session's title or the project's name, as this device last showed it. */
	name: string;
}

/** What the person reads about it. */
export function lostWorkMessage({ kind, name }: LostWork): string {
	const what = kind === 'session' ? `The session “${name}”` : `The project “${name}”`;
	return `${what} was deleted on another device. Changes made to it on this device that had not reached the server were discarded.`;
}
