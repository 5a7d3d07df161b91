import {
	isOfProject,
	readSnapshot,
	snapshotOf,
	withoutSession,
	type SnapshotSession
} from '../core/session-snapshot.js';
import type { SessionRow } from '../core/rows.js';
import { signedInPointer } from './device.js';

/*
 * The last shown project's session list in localStorage ([PW18]): a start paints it before
 * IndexedDB has answered, and the live rows replace it. Titles are data the person may delete,
 * so every deletion here or by sync, and sign-out, takes them out of it at once ("Deletion
 * purges").
 */
const snapshotKey = 'tether.session-snapshot';

/** The stored list of this project for the signed-in account, if this device has one. */
export function sessionSnapshot(project: string): SnapshotSession[] | undefined {
	const account = signedInPointer();
	if (!account) return undefined;
	return readSnapshot(read(), account, project)?.sessions;
}

/** Keeps the project's list as the rows show it (only the signed-in account's). */
export function rememberSessions(
	project: string,
	rows: readonly Pick<SessionRow, 'id' | 'title'>[]
): void {
	const account = signedInPointer();
	if (!account) return;
	const next = JSON.stringify(snapshotOf(account, project, rows));
	if (read() !== next) write(next);
}

/** A session was deleted: its title leaves the snapshot. */
export function forgetSnapshotSession(sessionId: string): void {
	const without = withoutSession(read(), sessionId);
	if (without) write(JSON.stringify(without));
}

/** Drops the snapshot: of that project only when `project` is given, else whatever it holds. */
export function forgetSessionSnapshot(project?: string): void {
	if (project === undefined || isOfProject(read(), project)) write(undefined);
}

function read(): string | null {
	try {
		return localStorage.getItem(snapshotKey);
	} catch {
		return null;
	}
}

function write(value: string | undefined): void {
	try {
		if (value === undefined) localStorage.removeItem(snapshotKey);
		else localStorage.setItem(snapshotKey, value);
	} catch {
		// Storage refused (private mode, quota): a start waits for IndexedDB instead. A deleted
		// title could then stay behind, so a refused write clears what is there.
		try {
			localStorage.removeItem(snapshotKey);
		} catch {
			// Nothing stored can be read either.
		}
	}
}
