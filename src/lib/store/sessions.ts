import { projectDoc, sessionDoc } from '../core/doc-names.js';
import { newId } from '../core/ids.js';
import { checkName, InvalidInputError } from '../core/names.js';
import * as shapes from '../core/shapes.js';
import type { DocStore } from './doc-store.js';

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
