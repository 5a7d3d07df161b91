import { projectDoc, sessionDoc } from '../core/doc-names.js';
import type { TetherDb } from './db.js';

/*
 * Purging removes a document's stored updates and its rows, and leaves a tombstone so that the
 * document is never stored again on this device. Runs inside the caller's transaction.
 */

export async function purgeSession(db: TetherDb, sessionId: string, now: number): Promise<void> {
	const name = sessionDoc(sessionId);
	await db.updates.where('docName').equals(name).delete();
	await db.messages.where('sessionId').equals(sessionId).delete();
	await db.sessions.delete(sessionId);
	await db.tombstones.put({ docName: name, deletedAt: now });
}

export async function purgeProject(db: TetherDb, projectId: string, now: number): Promise<void> {
	const sessionIds = (await db.sessions
		.where('projectId')
		.equals(projectId)
		.primaryKeys()) as string[];
	for (const id of sessionIds) await purgeSession(db, id, now);
	const name = projectDoc(projectId);
	await db.updates.where('docName').equals(name).delete();
	await db.projects.delete(projectId);
	await db.tombstones.put({ docName: name, deletedAt: now });
}

/** Of the given document names, those not yet purged on this device. */
export async function notYetPurged<Name extends string>(
	db: TetherDb,
	names: Name[]
): Promise<Name[]> {
	if (names.length === 0) return [];
	const found = await db.tombstones.bulkGet(names);
	return names.filter((_, i) => found[i] === undefined);
}
