import type * as Y from 'yjs';
import { projectDoc, sessionDoc } from '../core/doc-names.js';
import { newId } from '../core/ids.js';
import { checkName, InvalidInputError } from '../core/names.js';
import { writeSession } from '../core/import/write-session.js';
import { compactTitle, forkedSession, summaryRequest } from '../core/session-links.js';
import * as shapes from '../core/shapes.js';
import type { DocStore } from './doc-store.js';
import { sessionForExport } from './library.js';
import { forgetSnapshotSession } from './session-snapshot.js';

/** Verbs on sessions: the session index lives in the project doc, the content in the session doc. */

export interface CreatedSession {
	id: string;
	/** Lets go of the new document; call once the view that shows it holds it. */
	release: () => void;
	/** Resolves once the session and its index entry are in IndexedDB. */
	saved: Promise<void>;
}

/**
 * Creates a session without waiting for IndexedDB: its document is made in memory and held, and
 * the project's index is updated in memory when the project is open, so the view can show the new
 * session in the same frame as the click. Saving follows by itself.
 */
export function create(store: DocStore, projectId: string, now = Date.now()): CreatedSession {
	const id = newId();
	const name = sessionDoc(id);
	store.create(name, (session) => shapes.initSession(session, projectId, now));
	const index = projectDoc(projectId);
	const project = store.hold(index);
	let saved: Promise<void>;
	if (project) {
		shapes.addSession(project, id, now);
		store.release(index);
		saved = store.flush();
	} else {
		saved = store.change(index, (doc) => shapes.addSession(doc, id, now));
	}
	return { id, release: () => store.release(name), saved };
}

export async function rename(
	store: DocStore,
	projectId: string,
	id: string,
	rawTitle: string
): Promise<void> {
	const checked = checkName(rawTitle, 'Session');
	if (!checked.ok) throw new InvalidInputError(checked.error);
	await store.change(projectDoc(projectId), (project) =>
		shapes.renameSession(project, id, checked.name)
	);
}

export async function remove(
	store: DocStore,
	projectId: string,
	id: string,
	now = Date.now()
): Promise<void> {
	// Its title leaves the start's snapshot now, not only once the purge committed.
	forgetSnapshotSession(id);
	await store.change(projectDoc(projectId), (project) => shapes.deleteSession(project, id, now));
}

/** Adds a message to the session, clears the draft, and records the activity in the index. */
export async function send(
	store: DocStore,
	projectId: string,
	id: string,
	text: string,
	now = Date.now()
): Promise<void> {
	if (text.trim().length === 0) throw new InvalidInputError('Message is empty.');
	await store.change(sessionDoc(id), (session) => {
		session.transact(() => {
			shapes.appendMessage(session, {
				id: newId(),
				role: 'user',
				text,
				createdAt: now,
				ask: 'waiting'
			});
			const draft = shapes.draft(session);
			draft.delete(0, draft.length);
		});
	});
	await store.change(projectDoc(projectId), (project) =>
		shapes.noteMessage(project, id, text, now)
	);
}

/**
 * Fork: a new session holding copies of the messages up to and including `upTo` (all of them
 * without), with new ids, linked to the session it came from. Written like an import: the session
 * document first, the index entry last. Resolves to the new session's id.
 */
export async function fork(
	store: DocStore,
	projectId: string,
	sourceId: string,
	upTo?: string,
	now = Date.now()
): Promise<string> {
	const source = await sessionForExport(store, sourceId);
	const forked = source && forkedSession(source, upTo, now);
	if (!forked) throw new InvalidInputError('That message is no longer on this device.');
	const id = newId();
	await writeNew(store, id, (doc) => writeSession(doc, projectId, forked, newId));
	await store.change(projectDoc(projectId), (project) =>
		shapes.addSessionEntry(project, id, forked, { forkedFrom: sourceId })
	);
	return id;
}

/**
 * Compact: a new session whose first message asks Claude for a summary of `sourceId`; the server
 * answers it from that session's history (and then links the old session forward). The old
 * session is not written here. Resolves to the new session's id.
 */
export async function compact(
	store: DocStore,
	projectId: string,
	sourceId: string,
	now = Date.now()
): Promise<string> {
	const source = await store.db.sessions.get(sourceId);
	if (!source) throw new InvalidInputError('That session is no longer on this device.');
	const id = newId();
	await writeNew(store, id, (doc) => {
		shapes.initSession(doc, projectId, now);
		shapes.appendMessage(doc, {
			id: newId(),
			role: 'user',
			text: summaryRequest(source.title),
			createdAt: now,
			ask: 'waiting',
			summaryOf: sourceId
		});
	});
	await store.change(projectDoc(projectId), (project) =>
		shapes.addSessionEntry(
			project,
			id,
			{ createdAt: now, lastActivity: now, title: compactTitle(source.title), renamed: true },
			{ compactedFrom: sourceId }
		)
	);
	return id;
}

async function writeNew(store: DocStore, id: string, write: (doc: Y.Doc) => void): Promise<void> {
	const name = sessionDoc(id);
	store.create(name, write);
	try {
		await store.flush();
	} finally {
		store.release(name);
	}
}
