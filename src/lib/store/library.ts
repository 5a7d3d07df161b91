import { accountDoc, projectDoc, sessionDoc } from '../core/doc-names.js';
import { exportedSession } from '../core/export/from-rows.js';
import type { ExportedProject, ExportedSession } from '../core/export/schema.js';
import { normalizePath, workspace, writeFile } from '../core/files.js';
import { newId } from '../core/ids.js';
import { writeSessionInSlices } from '../core/import/write-session.js';
import * as shapes from '../core/shapes.js';
import type { DocStore } from './doc-store.js';

/*
 * Writing what an import read into the account's documents, through the same doc store as every
 * other change, so the rows follow, the outbox keeps it until the server has it, and other devices
 * get it by sync. Session documents are written first and the project's index last: until the
 * index names them, no list shows them, so an interrupted import shows nothing half done.
 */

/**
 * Writes the sessions into the project, but not one the project already has from the same
 * source with the same messages ([LB30]): importing a folder of transcripts again adds only
 * what is new. Returns the ids written, their messages, and how many sessions were already there.
 */
export async function importSessions(
	store: DocStore,
	projectId: string,
	sessions: ExportedSession[]
): Promise<{ ids: string[]; messages: number; alreadyImported: number }> {
	const name = projectDoc(projectId);
	const project = await store.open(name);
	let fresh: ExportedSession[];
	try {
		const sources = shapes.importedSources(project);
		fresh = sessions.filter((session) => {
			if (session.importedFrom === undefined) return true;
			if (sources.has(session.importedFrom)) return false;
			sources.add(session.importedFrom);
			return true;
		});
		const ids = await writeSessionDocs(store, projectId, fresh);
		project.transact(() => {
			fresh.forEach((session, i) => shapes.addSessionEntry(project, ids[i]!, session));
		});
		await store.flush();
		return {
			ids,
			messages: fresh.reduce((n, session) => n + session.messages.length, 0),
			alreadyImported: sessions.length - fresh.length
		};
	} finally {
		store.release(name);
	}
}

/** A new project with the export's name, information, files and sessions. */
export async function importProject(store: DocStore, project: ExportedProject): Promise<string> {
	const id = newId();
	const ids = await writeSessionDocs(store, id, project.sessions);
	await store.change(projectDoc(id), (doc) =>
		doc.transact(() => {
			shapes.replaceText(shapes.projectInfo(doc), project.info);
			for (const [raw, content] of Object.entries(project.files)) {
				const path = normalizePath(raw);
				if (path.ok) writeFile(doc, path.value, content);
			}
			project.sessions.forEach((session, i) => shapes.addSessionEntry(doc, ids[i]!, session));
		})
	);
	// Last: the project appears in the list only once everything it holds is stored.
	await store.change(accountDoc, (account) =>
		shapes.addProject(account, id, project.name, project.createdAt)
	);
	return id;
}

async function writeSessionDocs(
	store: DocStore,
	projectId: string,
	sessions: ExportedSession[]
): Promise<string[]> {
	const ids: string[] = [];
	for (const session of sessions) {
		const id = newId();
		const name = sessionDoc(id);
		const doc = store.create(name, () => {});
		try {
			// A slice at a time, each stored before the next is written: the page paints and
			// answers between them while IndexedDB commits, however big the session.
			for (const _slice of writeSessionInSlices(doc, projectId, session, newId)) {
				await store.flush();
			}
			// The generator steps to the next slice before pausing: its last slice is stored here.
			await store.flush();
		} finally {
			store.release(name);
		}
		ids.push(id);
	}
	return ids;
}

/** A session as its rows hold it, in export shape; undefined when it is not on this device. */
export async function sessionForExport(
	store: DocStore,
	sessionId: string
): Promise<ExportedSession | undefined> {
	const row = await store.db.sessions.get(sessionId);
	if (!row) return undefined;
	const messages = await store.db.messages.where('sessionId').equals(sessionId).toArray();
	return exportedSession(row, messages);
}

/** A project with its information, files and every session, in export shape. */
export async function projectForExport(
	store: DocStore,
	projectId: string
): Promise<ExportedProject | undefined> {
	const row = await store.db.projects.get(projectId);
	if (!row) return undefined;
	const name = projectDoc(projectId);
	const doc = await store.open(name);
	let info: string;
	const files: Record<string, string> = {};
	try {
		info = shapes.projectInfo(doc).toString();
		for (const [path, text] of workspace(doc)) files[path] = text.toString();
	} finally {
		store.release(name);
	}
	const sessionRows = await store.db.sessions.where('projectId').equals(projectId).toArray();
	sessionRows.sort((a, b) => a.createdAt - b.createdAt);
	const sessions: ExportedSession[] = [];
	for (const session of sessionRows) {
		const messages = await store.db.messages.where('sessionId').equals(session.id).toArray();
		sessions.push(exportedSession(session, messages));
	}
	return { name: row.name, createdAt: row.createdAt, info, files, sessions };
}
