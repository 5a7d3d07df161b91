import { signedInPointer } from './device.js';

/*
 * The project this device last showed, kept in localStorage beside the signed-in pointer, so a
 * start at "/" can go straight to it before IndexedDB is open: the project's code and its session
 * list load at once instead of after a query of the projects. Only an id, never a name.
 */
const lastProjectKey = 'tether.last-project';

interface LastProject {
	account: string;
	project: string;
}

/** The last project shown for the signed-in account, if this device remembers one. */
export function lastProject(): string | undefined {
	const account = signedInPointer();
	if (!account) return undefined;
	try {
		const stored = JSON.parse(localStorage.getItem(lastProjectKey) ?? 'null') as unknown;
		if (!isLastProject(stored) || stored.account !== account) return undefined;
		return stored.project;
	} catch {
		return undefined;
	}
}

export function rememberLastProject(project: string): void {
	const account = signedInPointer();
	if (!account || lastProject() === project) return;
	write({ account, project });
}

/** Forgets the remembered project (all of it when `project` is not given). */
export function forgetLastProject(project?: string): void {
	if (project === undefined || lastProject() === project) write(undefined);
}

function write(value: LastProject | undefined): void {
	try {
		if (value) localStorage.setItem(lastProjectKey, JSON.stringify(value));
		else localStorage.removeItem(lastProjectKey);
	} catch {
		// Storage refused (private mode, quota): starts go through the project list instead.
	}
}

function isLastProject(value: unknown): value is LastProject {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return typeof v.account === 'string' && typeof v.project === 'string';
}
