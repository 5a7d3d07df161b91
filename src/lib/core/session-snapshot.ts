import type { SessionRow } from './rows.js';
import { cutText } from './text.js';

/*
 * A small copy of the last shown project's session list, so a start can paint the list before
 * IndexedDB answers ([PW18]). Pure: the adapter in `store/session-snapshot.ts` keeps it in
 * localStorage. It holds ids, titles and their order, per account, and nothing else.
 */

/** What a sidebar shows on a start; more would only make every write and read longer. */
export const snapshotSessions = 50;
/** The link shows one line; a title this long is cut (between graphemes) until the rows come. */
export const snapshotTitleLength = 200;

export interface SnapshotSession {
	id: string;
	title: string;
}

export interface SessionSnapshot {
	/** The signed-in account's key hash: another account never sees this list. */
	account: string;
	project: string;
	sessions: SnapshotSession[];
}

/** The snapshot of a project's list, in the order the list shows it (the rows' order). */
export function snapshotOf(
	account: string,
	project: string,
	rows: readonly Pick<SessionRow, 'id' | 'title'>[]
): SessionSnapshot {
	return {
		account,
		project,
		sessions: rows
			.slice(0, snapshotSessions)
			.map(({ id, title }) => ({ id, title: cutText(title, snapshotTitleLength) }))
	};
}

/** The snapshot stored for this account and project, or undefined (another one, or unreadable). */
export function readSnapshot(
	raw: string | null,
	account: string,
	project: string
): SessionSnapshot | undefined {
	const parsed = parse(raw);
	if (!parsed || parsed.account !== account || parsed.project !== project) return undefined;
	return parsed;
}

/** The stored snapshot without that session, or undefined when it did not name it. */
export function withoutSession(raw: string | null, sessionId: string): SessionSnapshot | undefined {
	const parsed = parse(raw);
	if (!parsed || !parsed.sessions.some((s) => s.id === sessionId)) return undefined;
	return { ...parsed, sessions: parsed.sessions.filter((s) => s.id !== sessionId) };
}

/** Whether the stored snapshot is of this project (so deleting the project must drop it). */
export function isOfProject(raw: string | null, project: string): boolean {
	return parse(raw)?.project === project;
}

function parse(raw: string | null): SessionSnapshot | undefined {
	if (!raw) return undefined;
	try {
		const value = JSON.parse(raw) as unknown;
		return isSnapshot(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

function isSnapshot(value: unknown): value is SessionSnapshot {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return (
		typeof v.account === 'string' &&
		typeof v.project === 'string' &&
		Array.isArray(v.sessions) &&
		v.sessions.every(
			(s: unknown) =>
				typeof s === 'object' &&
				s !== null &&
				typeof (s as SnapshotSession).id === 'string' &&
				typeof (s as SnapshotSession).title === 'string'
		)
	);
}
