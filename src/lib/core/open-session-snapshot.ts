import type { MessageRow } from './rows.js';
import { cutText } from './text.js';

/*
 * The end of the session shown last, as plain text, so a start can paint it before any of the
 * app's modules have run ([PW20]): `static/first-paint.js` reads it (from localStorage, through
 * the adapter in `store/session-snapshot.ts`) and draws it with the app's own classes. Pure.
 * It holds what the person already saw on this device and is dropped with the session.
 */

/** About a tall phone screen of short messages; the live rows replace it within a second. */
export const openSnapshotMessages = 10;
/** Longer messages are cut (between graphemes): the screen shows their end only after a scroll. */
export const openSnapshotTextLength = 2000;

export interface OpenSnapshotMessage {
	role: 'user' | 'assistant';
	text: string;
}

export interface OpenSessionSnapshot {
	/** The signed-in account's key hash: another account never sees it. */
	account: string;
	project: string;
	session: string;
	title: string;
	messages: OpenSnapshotMessage[];
}

/** The snapshot of a session's end: its last messages, each cut to a screenful. */
export function openSessionSnapshotOf(
	account: string,
	project: string,
	session: { id: string; title: string },
	rows: readonly Pick<MessageRow, 'role' | 'text'>[]
): OpenSessionSnapshot {
	return {
		account,
		project,
		session: session.id,
		title: cutText(session.title, openSnapshotTextLength),
		messages: rows.slice(-openSnapshotMessages).map(({ role, text }) => ({
			role,
			text:
				text.length > openSnapshotTextLength ? cutText(text, openSnapshotTextLength) + '…' : text
		}))
	};
}

/** Whether a stored snapshot must go: it shows that session, or a session of that project. */
export function openSnapshotShows(
	raw: string | null,
	what: { session: string } | { project: string }
): boolean {
	const parsed = parseOpenSession(raw);
	if (!parsed) return raw !== null;
	return 'session' in what ? parsed.session === what.session : parsed.project === what.project;
}

function parseOpenSession(raw: string | null): OpenSessionSnapshot | undefined {
	if (!raw) return undefined;
	try {
		const v = JSON.parse(raw) as Record<string, unknown> | null;
		if (
			typeof v !== 'object' ||
			v === null ||
			typeof v.account !== 'string' ||
			typeof v.project !== 'string' ||
			typeof v.session !== 'string' ||
			typeof v.title !== 'string' ||
			!Array.isArray(v.messages)
		)
			return undefined;
		const messages = v.messages as unknown[];
		const valid = messages.every(
			(m) =>
				typeof m === 'object' &&
				m !== null &&
				((m as OpenSnapshotMessage).role === 'user' ||
					(m as OpenSnapshotMessage).role === 'assistant') &&
				typeof (m as OpenSnapshotMessage).text === 'string'
		);
		return valid ? (v as unknown as OpenSessionSnapshot) : undefined;
	} catch {
		return undefined;
	}
}
