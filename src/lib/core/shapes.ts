import { simpleDiffString } from 'lib0/diff';
import * as Y from 'yjs';
import type { Role } from './rows.js';
import { deriveTitle } from './title.js';

/*
 * The shapes of the replicated documents, and the only code that writes them.
 *
 * account doc:  projects: Y.Map<id, Y.Map{name, createdAt}>, deletedProjects: Y.Map<id, deletedAt>
 * project doc:  info: Y.Text, sessions: Y.Map<id, Y.Map{createdAt, lastActivity, title?, autoTitle?,
 *               forkedFrom?, compactedFrom?, continuedIn?}>, deletedSessions: Y.Map<id, deletedAt>
 * session doc:  meta: Y.Map{projectId, createdAt}, messages: Y.Array<Y.Map{id, role, createdAt, text: Y.Text,
 *               summaryOf?}>, draft: Y.Text
 *
 * Deletion is recorded in a `deleted*` map that is never cleared: an entry there wins over any
 * concurrent edit of the same thing, so an offline device cannot bring it back.
 */

export function projects(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('projects');
}

export function deletedProjects(doc: Y.Doc): Y.Map<number> {
	return doc.getMap('deletedProjects');
}

export function addProject(doc: Y.Doc, id: string, name: string, now: number): void {
	doc.transact(() => {
		const entry = new Y.Map<unknown>();
		entry.set('name', name);
		entry.set('createdAt', now);
		projects(doc).set(id, entry);
	});
}

export function renameProject(doc: Y.Doc, id: string, name: string): void {
	projects(doc).get(id)?.set('name', name);
}

export function deleteProject(doc: Y.Doc, id: string, now: number): void {
	doc.transact(() => {
		deletedProjects(doc).set(id, now);
		projects(doc).delete(id);
	});
}

export function projectInfo(doc: Y.Doc): Y.Text {
	return doc.getText('info');
}

export function sessions(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('sessions');
}

export function deletedSessions(doc: Y.Doc): Y.Map<number> {
	return doc.getMap('deletedSessions');
}

export function addSession(projectDoc: Y.Doc, id: string, now: number): void {
	projectDoc.transact(() => {
		const entry = new Y.Map<unknown>();
		entry.set('createdAt', now);
		entry.set('lastActivity', now);
		sessions(projectDoc).set(id, entry);
	});
}

/** Links between sessions in the index (Fork and Compact, see session-links.ts): session ids. */
export const sessionLinkFields = ['forkedFrom', 'compactedFrom', 'continuedIn'] as const;
export type SessionLinks = Partial<Record<(typeof sessionLinkFields)[number], string>>;

/**
 * An index entry for a session brought in whole (an import, a fork, a compacted session): its
 * times and title as they were, and where it came from.
 */
export function addSessionEntry(
	projectDoc: Y.Doc,
	id: string,
	entry: {
		createdAt: number;
		lastActivity: number;
		title: string;
		renamed: boolean;
		importedFrom?: string;
	},
	links: SessionLinks = {}
): void {
	projectDoc.transact(() => {
		const map = new Y.Map<unknown>();
		map.set('createdAt', entry.createdAt);
		map.set('lastActivity', entry.lastActivity);
		map.set(entry.renamed ? 'title' : 'autoTitle', entry.title);
		if (entry.importedFrom !== undefined) map.set('importedFrom', entry.importedFrom);
		for (const field of sessionLinkFields) {
			const value = links[field];
			if (value !== undefined) map.set(field, value);
		}
		sessions(projectDoc).set(id, map);
	});
}

/** What the project's sessions were imported from ([LB30]): a second import of one is skipped. */
export function importedSources(projectDoc: Y.Doc): Set<string> {
	const sources = new Set<string>();
	const deleted = deletedSessions(projectDoc);
	for (const [id, entry] of sessions(projectDoc)) {
		const source = entry.get('importedFrom');
		if (typeof source === 'string' && !deleted.has(id)) sources.add(source);
	}
	return sources;
}

/** Compact succeeded: the old session links forward to the one that continues it. */
export function setContinuedIn(projectDoc: Y.Doc, id: string, continuedIn: string): void {
	sessions(projectDoc).get(id)?.set('continuedIn', continuedIn);
}

export function renameSession(projectDoc: Y.Doc, id: string, title: string): void {
	sessions(projectDoc).get(id)?.set('title', title);
}

export function deleteSession(projectDoc: Y.Doc, id: string, now: number): void {
	projectDoc.transact(() => {
		deletedSessions(projectDoc).set(id, now);
		sessions(projectDoc).delete(id);
	});
}

/** Records activity in the session index; the first message also names an unnamed session. */
export function noteMessage(projectDoc: Y.Doc, id: string, text: string, now: number): void {
	const entry = sessions(projectDoc).get(id);
	if (!entry) return;
	projectDoc.transact(() => {
		entry.set('lastActivity', now);
		if (entry.get('autoTitle') === undefined) entry.set('autoTitle', deriveTitle(text));
	});
}

export function sessionMeta(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('meta');
}

export function initSession(doc: Y.Doc, projectId: string, now: number): void {
	doc.transact(() => {
		const meta = sessionMeta(doc);
		if (meta.get('projectId') === undefined) meta.set('projectId', projectId);
		if (meta.get('createdAt') === undefined) meta.set('createdAt', now);
	});
}

export function messages(doc: Y.Doc): Y.Array<Y.Map<unknown>> {
	return doc.getArray('messages');
}

export function draft(doc: Y.Doc): Y.Text {
	return doc.getText('draft');
}

export interface NewMessage {
	id: string;
	role: Role;
	text: string;
	createdAt: number;
	/** A person's message that asks for an answer (see answers.ts). */
	ask?: 'waiting';
	/** Compact: the message asks for a summary of this other session (see session-links.ts). */
	summaryOf?: string;
}

export function appendMessage(doc: Y.Doc, message: NewMessage): Y.Map<unknown> {
	const entry = new Y.Map<unknown>();
	doc.transact(() => {
		entry.set('id', message.id);
		entry.set('role', message.role);
		entry.set('createdAt', message.createdAt);
		entry.set('text', new Y.Text(message.text));
		if (message.ask) {
			entry.set('ask', message.ask);
			entry.set('attempt', 1);
		}
		if (message.summaryOf) entry.set('summaryOf', message.summaryOf);
		messages(doc).push([entry]);
	});
	return entry;
}

/**
 * Replaces the text of `ytext` with `next`, touching only the span that changed; `origin` marks
 * the transaction so the binding that made it can skip its own echo.
 */
export function replaceText(ytext: Y.Text, next: string, origin: unknown = null): void {
	const prev = ytext.toString();
	if (prev === next) return;
	// lib0's diff never ends the common prefix or suffix inside a surrogate pair. A plain scan by
	// code units does whenever two emoji share a high surrogate (😃 -> 😀😃), and Yjs turns the
	// split halves into U+FFFD on every replica ([DS5]).
	const { index, remove, insert } = simpleDiffString(prev, next);
	const run = () => {
		if (remove > 0) ytext.delete(index, remove);
		if (insert.length > 0) ytext.insert(index, insert);
	};
	if (ytext.doc) ytext.doc.transact(run, origin);
	else run();
}
