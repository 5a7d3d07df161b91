import { accountDoc, projectDoc } from '../core/doc-names.js';
import { newId } from '../core/ids.js';
import { checkName, InvalidInputError } from '../core/names.js';
import * as shapes from '../core/shapes.js';
import type { DocStore } from './doc-store.js';
import { forgetLastProject } from './last-project.js';
import { forgetSessionSnapshot } from './session-snapshot.js';

/** Verbs on projects. Each writes the documents; rows follow through the doc store. */

export async function create(store: DocStore, rawName: string, now = Date.now()): Promise<string> {
	const name = validName(rawName);
	const id = newId();
	await store.change(accountDoc, (account) => shapes.addProject(account, id, name, now));
	return id;
}

export async function rename(store: DocStore, id: string, rawName: string): Promise<void> {
	const name = validName(rawName);
	await store.change(accountDoc, (account) => shapes.renameProject(account, id, name));
}

/** Deletes the project and, through the projection's purge, its sessions and their documents. */
export async function remove(store: DocStore, id: string, now = Date.now()): Promise<void> {
	forgetLastProject(id);
	forgetSessionSnapshot(id);
	await store.change(accountDoc, (account) => shapes.deleteProject(account, id, now));
}

export async function setInfo(store: DocStore, id: string, text: string): Promise<void> {
	await store.change(projectDoc(id), (doc) => shapes.replaceText(shapes.projectInfo(doc), text));
}

function validName(raw: string): string {
	const checked = checkName(raw, 'Project');
	if (!checked.ok) throw new InvalidInputError(checked.error);
	return checked.name;
}
