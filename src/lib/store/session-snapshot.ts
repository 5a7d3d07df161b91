import {
	isOfProject,
	readSnapshot,
	snapshotOf,
	withoutSession,
	type SnapshotSession
} from '../core/session-snapshot.js';
import { openSessionSnapshotOf, openSnapshotShows } from '../core/open-session-snapshot.js';
import type { MessageRow, SessionRow } from '../core/rows.js';
import { signedInPointer } from './device.js';

/*
 * The last shown project's session list in localStorage ([PW18]): a start paints it before
 * IndexedDB has answered, and the live rows replace it. Beside it, the end of the session shown
 * last ([PW20]), which `static/first-paint.js` paints before the app's modules run. Titles and
 * messages are data the person may delete, so every deletion here or by sync, and sign-out,
 * takes them out at once ("Deletion purges").
 */
const snapshotKey = 'tether.session-snapshot';
/** Read by static/first-paint.js under this name too. */
const openKey = 'tether.open-session';

/** The stored list of this project for the signed-in account, if this device has one. */
export function sessionSnapshot(project: string): SnapshotSession[] | undefined {
	const account = signedInPointer();
	if (!account) return undefined;
	return readSnapshot(read(snapshotKey), account, project)?.sessions;
}

/** Keeps the project's list as the rows show it (only the signed-in account's). */
export function rememberSessions(
	project: string,
	rows: readonly Pick<SessionRow, 'id' | 'title'>[]
): void {
	const account = signedInPointer();
	if (!account) return;
	const next = JSON.stringify(snapshotOf(account, project, rows));
	if (read(snapshotKey) !== next) write(snapshotKey, next);
}

/** Keeps the end of the session on screen, for the next start to paint at once ([PW20]). */
export function rememberOpenSession(
	project: string,
	session: Pick<SessionRow, 'id' | 'title'>,
	rows: readonly Pick<MessageRow, 'role' | 'text'>[]
): void {
	const account = signedInPointer();
	if (!account || forgotten.has(session.id)) return;
	const next = JSON.stringify(openSessionSnapshotOf(account, project, session, rows));
	if (read(openKey) !== next) write(openKey, next);
}

/** Sessions deleted while this tab runs: a view still closing may not write one back. */
const forgotten = new Set<string>();

/** A session was deleted: its title leaves the list, and its messages the open snapshot. */
export function forgetSnapshotSession(sessionId: string): void {
	forgotten.add(sessionId);
	const without = withoutSession(read(snapshotKey), sessionId);
	if (without) write(snapshotKey, JSON.stringify(without));
	if (openSnapshotShows(read(openKey), { session: sessionId })) write(openKey, undefined);
}

/** Drops the snapshots: of that project only when `project` is given, else whatever they hold. */
export function forgetSessionSnapshot(project?: string): void {
	if (project === undefined || isOfProject(read(snapshotKey), project))
		write(snapshotKey, undefined);
	if (project === undefined || openSnapshotShows(read(openKey), { project }))
		write(openKey, undefined);
}

function read(key: string): string | null {
	try {
		return localStorage.getItem(key);
	} catch {
		return null;
	}
}

function write(key: string, value: string | undefined): void {
	try {
		if (value === undefined) localStorage.removeItem(key);
		else localStorage.setItem(key, value);
	} catch {
		// Storage refused (private mode, quota): a start waits for IndexedDB instead. A deleted
		// title could then stay behind, so a refused write clears what is there.
		try {
			localStorage.removeItem(key);
		} catch {
			// Nothing stored can be read either.
		}
	}
}
