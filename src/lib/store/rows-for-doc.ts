import type * as Y from 'yjs';
import { parseDocName, projectDoc, sessionDoc, type DocName } from '../core/doc-names.js';
import * as projection from '../core/projection.js';
import type { MessageChanges } from '../core/projection.js';
import type { MessageRow, ProjectRow, SessionRow } from '../core/rows.js';
import type { TetherDb } from './db.js';
import {
	lostWorkOfProject,
	lostWorkOfSession,
	notYetPurged,
	purgeProject,
	purgeSession
} from './purge.js';
import type { LostWork } from '../core/lost-work.js';

/**
 * The row changes one document's current state implies, computed synchronously so that they
 * match exactly the updates stored with them; `write` then applies them inside the transaction,
 * returns the documents it purged and adds to `lost` what deletions made elsewhere discarded here.
 */
export type RowWrite = (db: TetherDb, now: number, lost: LostWork[]) => Promise<DocName[]>;

/** `deletedHere`: ids whose deletion this device recorded (the person chose to lose their work). */
export function rowsForDoc(
	name: DocName,
	doc: Y.Doc,
	changes: MessageChanges | undefined,
	deletedHere: ReadonlySet<string> = new Set()
): RowWrite {
	const parsed = parseDocName(name);
	if (!parsed) return async () => [];
	if (parsed.kind === 'account') {
		return writeProjects(projection.projectRows(doc), deletedHere);
	}
	if (parsed.kind === 'project') {
		return writeSessions(parsed.id, projection.sessionRows(parsed.id, doc), deletedHere);
	}
	if (!changes) return async () => [];
	return writeMessages(parsed.id, projection.applyMessageChanges(parsed.id, doc, changes));
}

function writeProjects(
	projected: projection.Projected<ProjectRow>,
	deletedHere: ReadonlySet<string>
): RowWrite {
	return async (db, now, lost) => {
		const ids = await notYetPurged(db, projected.deleted.map(projectDoc));
		for (const name of ids) {
			const id = name.slice('project.'.length);
			const work = deletedHere.has(id) ? undefined : await lostWorkOfProject(db, id);
			if (work) lost.push(work);
		}
		const visible = new Set(projected.rows.map((r) => r.id));
		const stale = ((await db.projects.toCollection().primaryKeys()) as string[]).filter(
			(id) => !visible.has(id)
		);
		await db.projects.bulkDelete(stale);
		await db.projects.bulkPut(projected.rows);
		const purged: DocName[] = [];
		for (const name of ids) {
			purged.push(...(await purgeProject(db, name.slice('project.'.length), now)));
		}
		return purged;
	};
}

function writeSessions(
	projectId: string,
	projected: projection.Projected<SessionRow>,
	deletedHere: ReadonlySet<string>
): RowWrite {
	return async (db, now, lost) => {
		const ids = await notYetPurged(db, projected.deleted.map(sessionDoc));
		for (const name of ids) {
			const id = name.slice('session.'.length);
			const work = deletedHere.has(id) ? undefined : await lostWorkOfSession(db, id);
			if (work) lost.push(work);
		}
		const visible = new Set(projected.rows.map((r) => r.id));
		const existing = (await db.sessions
			.where('projectId')
			.equals(projectId)
			.primaryKeys()) as string[];
		await db.sessions.bulkDelete(existing.filter((id) => !visible.has(id)));
		await db.sessions.bulkPut(projected.rows);
		const purged: DocName[] = [];
		for (const name of ids) {
			purged.push(...(await purgeSession(db, name.slice('session.'.length), now)));
		}
		return purged;
	};
}

function writeMessages(
	sessionId: string,
	change: { fromSeq: number | undefined; rows: MessageRow[] }
): RowWrite {
	return async (db) => {
		if (change.fromSeq !== undefined) {
			await db.messages
				.where('[sessionId+seq]')
				.between([sessionId, change.fromSeq], [sessionId, Infinity])
				.delete();
		}
		await db.messages.bulkPut(change.rows);
		if (change.fromSeq !== undefined || change.rows.length > 0) {
			await db.searchQueue.add({
				sessionId,
				...(change.fromSeq !== undefined ? { fromSeq: change.fromSeq } : {}),
				ids: change.rows.map((r) => r.id)
			});
		}
		return [];
	};
}
