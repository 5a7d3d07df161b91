import { parseDocName, projectDoc, sessionDoc, type DocName } from '../core/doc-names.js';
import type { LostWork } from '../core/lost-work.js';
import type { TetherDb } from './db.js';
import { forgetLastProject } from './last-project.js';
import { forgetSessionSnapshot, forgetSnapshotSession } from './session-snapshot.js';

/*
 * Purging removes a document's stored updates and its rows, and leaves a tombstone so that the
 * document is never stored again on this device. Runs inside the caller's transaction and
 * returns the names of every document it purged.
 */

export async function purgeSession(
	db: TetherDb,
	sessionId: string,
	now: number
): Promise<DocName[]> {
	const name = sessionDoc(sessionId);
	forgetSnapshotSession(sessionId);
	await db.updates.where('docName').equals(name).delete();
	await db.messages.where('sessionId').equals(sessionId).delete();
	// The search index drops the session's words when it takes this in.
	await db.searchQueue.add({ sessionId, fromSeq: 0, ids: [] });
	await db.sessions.delete(sessionId);
	await db.tombstones.put({ docName: name, deletedAt: now, confirmed: 0 });
	await db.dirty.delete(name);
	return [name];
}

export async function purgeProject(
	db: TetherDb,
	projectId: string,
	now: number
): Promise<DocName[]> {
	forgetLastProject(projectId);
	forgetSessionSnapshot(projectId);
	const purged: DocName[] = [];
	const sessionIds = (await db.sessions
		.where('projectId')
		.equals(projectId)
		.primaryKeys()) as string[];
	for (const id of sessionIds) purged.push(...(await purgeSession(db, id, now)));
	const name = projectDoc(projectId);
	await db.updates.where('docName').equals(name).delete();
	await db.projects.delete(projectId);
	await db.tombstones.put({ docName: name, deletedAt: now, confirmed: 0 });
	await db.dirty.delete(name);
	purged.push(name);
	return purged;
}

/** Purges one document by name, with everything that hangs off it. */
export async function purgeDoc(db: TetherDb, name: DocName, now: number): Promise<DocName[]> {
	const parsed = parseDocName(name);
	if (parsed?.kind === 'session') return purgeSession(db, parsed.id, now);
	if (parsed?.kind === 'project') return purgeProject(db, parsed.id, now);
	return [];
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

/** What deleting this session elsewhere discards here; read before its row is deleted. */
export async function lostWorkOfSession(
	db: TetherDb,
	sessionId: string
): Promise<LostWork | undefined> {
	if (!(await db.dirty.get(sessionDoc(sessionId)))) return undefined;
	const row = await db.sessions.get(sessionId);
	return { kind: 'session', name: row?.title ?? 'A session' };
}

/** As `lostWorkOfSession`, for a project: its own document or any of its sessions. */
export async function lostWorkOfProject(
	db: TetherDb,
	projectId: string
): Promise<LostWork | undefined> {
	const sessionIds = (await db.sessions
		.where('projectId')
		.equals(projectId)
		.primaryKeys()) as string[];
	const names = [projectDoc(projectId), ...sessionIds.map(sessionDoc)];
	const dirty = await db.dirty.bulkGet(names);
	if (dirty.every((entry) => entry === undefined)) return undefined;
	const row = await db.projects.get(projectId);
	return { kind: 'project', name: row?.name ?? 'A project' };
}

/** As the two above, for a document by name. */
export async function lostWorkOfDoc(db: TetherDb, name: DocName): Promise<LostWork | undefined> {
	const parsed = parseDocName(name);
	if (parsed?.kind === 'session') return lostWorkOfSession(db, parsed.id);
	if (parsed?.kind === 'project') return lostWorkOfProject(db, parsed.id);
	return undefined;
}
