/**
 * Names of the replicated Yjs documents, as a client knows them. The server maps each name into
 * the signed-in account's namespace, so the same name in two accounts is two unrelated documents.
 */
export type DocName = 'account' | `project.${string}` | `session.${string}`;

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const namePattern = /^(account|project\.[A-Za-z0-9_-]{1,64}|session\.[A-Za-z0-9_-]{1,64})$/;

export const accountDoc: DocName = 'account';

export function projectDoc(projectId: string): DocName {
	return `project.${checkId(projectId)}`;
}

export function sessionDoc(sessionId: string): DocName {
	return `session.${checkId(sessionId)}`;
}

export function isDocName(name: string): name is DocName {
	return namePattern.test(name);
}

/** The kind and id a document name stands for; undefined for anything that is not a doc name. */
export function parseDocName(
	name: string
): { kind: 'account' } | { kind: 'project' | 'session'; id: string } | undefined {
	if (!isDocName(name)) return undefined;
	if (name === 'account') return { kind: 'account' };
	const dot = name.indexOf('.');
	return { kind: name.slice(0, dot) as 'project' | 'session', id: name.slice(dot + 1) };
}

function checkId(id: string): string {
	if (!idPattern.test(id)) throw new Error(`not a valid document id: ${JSON.stringify(id)}`);
	return id;
}
