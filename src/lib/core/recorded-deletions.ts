import type * as Y from 'yjs';
import { isDocName, type DocName } from './doc-names.js';
import { deletedProjects, deletedSessions, sessions } from './shapes.js';

/*
 * What a document says about deleting other documents, for the server's deletion purge (R16):
 * a project document records deleted sessions, the account document deleted projects.
 */

/**
 * True when this transaction added (or re-set) a key in `deletedSessions` or `deletedProjects`,
 * or removed a file from a project's workspace (deleted, or renamed away): its text must leave
 * the stored history as a deleted session's titles do ([FS6]).
 */
export function recordsDeletion(transaction: Y.Transaction): boolean {
	const share = transaction.doc.share;
	for (const name of ['deletedSessions', 'deletedProjects']) {
		const type = share.get(name);
		if (type && transaction.changed.has(type)) return true;
	}
	return removesFile(transaction);
}

/**
 * True when this transaction left a key of the `files` map without a live value. Read through
 * the type's entries rather than `Y.Map`, because on the server the root may not have been asked
 * for as a map yet, and asking for it here would change the document.
 */
export function removesFile(transaction: Y.Transaction): boolean {
	const files = transaction.doc.share.get('files');
	const keys = files && transaction.changed.get(files);
	if (!files || !keys) return false;
	for (const key of keys) {
		if (key === null) continue;
		const entry = files._map.get(key);
		if (!entry || entry.deleted) return true;
	}
	return false;
}

/**
 * The documents whose content this document's deletions condemn: the deleted sessions of a
 * project document, the deleted projects of the account document.
 */
export function deletedChildren(name: DocName, doc: Y.Doc): DocName[] {
	if (name === 'account') return [...deletedProjects(doc).keys()].flatMap(projectDoc);
	if (name.startsWith('project.')) return [...deletedSessions(doc).keys()].flatMap(sessionDoc);
	return [];
}

/** Only a project document lists sessions. */
export const listsSessions = (name: DocName): boolean => name.startsWith('project.');

/** Every session a project document lists, live or deleted: purging a project purges them all. */
export function sessionsOf(name: DocName, doc: Y.Doc): DocName[] {
	if (!listsSessions(name)) return [];
	const ids = new Set([...sessions(doc).keys(), ...deletedSessions(doc).keys()]);
	return [...ids].flatMap(sessionDoc);
}

// An id that does not make a document name (a hostile document) names nothing.
const projectDoc = (id: string): DocName[] => named(`project.${id}`);
const sessionDoc = (id: string): DocName[] => named(`session.${id}`);
const named = (name: string): DocName[] => (isDocName(name) ? [name] : []);
