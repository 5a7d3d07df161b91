import type * as Y from 'yjs';
import * as answers from '../core/answers.js';
import { projectDoc, sessionDoc } from '../core/doc-names.js';
import { checkName, InvalidInputError } from '../core/names.js';
import type { MessageRow, ProjectRow, SessionRow } from '../core/rows.js';
import * as shapes from '../core/shapes.js';
import * as approval from '../core/tools/approval.js';
import { messageReader } from '../store/message-reader.js';
import * as projects from '../store/projects.js';
import * as sessions from '../store/sessions.js';
import { askToNotify } from '../sync/push.js';
import { store, sync } from './app.svelte.js';

/*
 * What views may do with the signed-in account: verbs that answer with an error message in words
 * instead of throwing, and the queries the lists are drawn from.
 */

export type Outcome<T = void> = { ok: true; value: T } | { ok: false; error: string };

/** A name checked now, and its write started: the inner outcome says how the write went. */
function checkedThenSaved(
	name: string,
	what: 'Project' | 'Session',
	save: () => Promise<void>
): Outcome<Promise<Outcome>> {
	const checked = checkName(name, what);
	return checked.ok ? { ok: true, value: attempt(save) } : checked;
}

async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
	try {
		return { ok: true, value: await run() };
	} catch (error) {
		if (error instanceof InvalidInputError) return { ok: false, error: error.message };
		console.error(error);
		return { ok: false, error: 'Something went wrong while saving on this device.' };
	}
}

export const createProject = (name: string) => attempt(() => projects.create(store(), name));
/**
 * Renames answer at once: the name is checked now (its error, in words, keeps a dialog open) and
 * the write goes on in the background, so a dialog closes in the frame of the click and what the
 * person types next lands where they look next, not in a field about to close. The inner promise
 * says how the write went.
 */
export const renameProject = (id: string, name: string) =>
	checkedThenSaved(name, 'Project', () => projects.rename(store(), id, name));
export const deleteProject = (id: string) => attempt(() => projects.remove(store(), id));

/** Synchronous, so the new session can be shown in the same frame; see `sessions.create`. */
export function createSession(projectId: string): Outcome<sessions.CreatedSession> {
	try {
		const created = sessions.create(store(), projectId);
		created.saved.catch((error: unknown) => console.error('saving the new session failed', error));
		return { ok: true, value: created };
	} catch (error) {
		console.error(error);
		return { ok: false, error: 'Something went wrong while creating the session.' };
	}
}
/** As `renameProject`: checked now, saved in the background. */
export const renameSession = (projectId: string, id: string, title: string) =>
	checkedThenSaved(title, 'Session', () => sessions.rename(store(), projectId, id, title));
export const deleteSession = (projectId: string, id: string) =>
	attempt(() => sessions.remove(store(), projectId, id));
/** Fork: a new session with the messages up to `upTo` (all without); resolves to its id. */
export const forkSession = (projectId: string, id: string, upTo?: string) =>
	attempt(() => sessions.fork(store(), projectId, id, upTo));
/** Compact: a new session that starts from Claude's summary of this one; resolves to its id. */
export const compactSession = (projectId: string, id: string) =>
	attempt(() => sessions.compact(store(), projectId, id));
export const sendMessage = (projectId: string, id: string, text: string) =>
	attempt(() => sessions.send(store(), projectId, id, text));

/** Retry: the person's message asks for its answer again, as the next attempt. */
export const retryAnswer = (sessionId: string, messageId: string) =>
	attempt(() =>
		store().change(sessionDoc(sessionId), (doc) => {
			const entry = answers.findMessage(doc, messageId);
			if (entry) answers.askAgain(entry);
		})
	);

/**
 * After a person's send: ask once whether Tether may notify when answers end, and subscribe this
 * device to the server's pushes when it may.
 */
export async function offerNotifications(): Promise<void> {
	if (await askToNotify()) await sync().push.ensure();
}

/** A person's answer to a pending file change; the server takes the first one it sees. */
export const decideApproval = (
	sessionId: string,
	answerId: string,
	toolUseId: string,
	decision: approval.Decision
) =>
	attempt(() =>
		store().change(sessionDoc(sessionId), (doc) => {
			const entry = answers.findMessage(doc, answerId);
			const block = entry && approval.findToolBlock(entry, toolUseId);
			if (block) approval.decide(block, decision);
		})
	);

/** The project setting "Ask before changing files". */
export const setAskBeforeChangingFiles = (projectId: string, ask: boolean) =>
	attempt(() =>
		store().change(projectDoc(projectId), (doc) => approval.setAskBeforeChangingFiles(doc, ask))
	);

/** Stop: ends the session's running answer, whichever device started it. */
export const stopAnswer = (sessionId: string) => attempt(() => sync().runs.stop(sessionId));

export const queries = {
	projects: async (): Promise<ProjectRow[]> =>
		(await store().db.projects.toArray()).sort((a, b) => a.createdAt - b.createdAt),
	/** The project with the latest session activity, else the first one (the "New session" shortcut). */
	recentProjectId: async (): Promise<string | undefined> => {
		const latest = await store().db.sessions.orderBy('lastActivity').last();
		return latest?.projectId ?? (await queries.projects())[0]?.id;
	},
	sessions: async (projectId: string): Promise<SessionRow[]> => {
		const rows = await store().db.sessions.where('projectId').equals(projectId).toArray();
		return rows.sort((a, b) => b.lastActivity - a.lastActivity || b.createdAt - a.createdAt);
	},
	/** The session's messages in order, read a part at a time (see SessionMessages). */
	messages: (sessionId: string) => messageReader(store().db, sessionId),
	/** The usage saved on the answers of every session of a project, with when each began. */
	usage: async (projectId: string): Promise<Pick<MessageRow, 'createdAt' | 'usage'>[]> => {
		const ids = await store().db.sessions.where('projectId').equals(projectId).primaryKeys();
		const rows = await store()
			.db.messages.where('sessionId')
			.anyOf(ids)
			.filter((m) => m.usage !== undefined)
			.toArray();
		return rows.map(({ createdAt, usage }) => ({ createdAt, usage }));
	}
};

export const docs = { projectDoc, sessionDoc };
export const isSessionOf = (doc: Y.Doc, projectId: string) =>
	shapes.sessionMeta(doc).get('projectId') === projectId;
export const isEmptySession = (doc: Y.Doc) => shapes.messages(doc).length === 0;
export const texts = { projectInfo: shapes.projectInfo, draft: shapes.draft };
