import {
	exportVersion,
	projectFormat,
	sessionFormat,
	type ExportedProject,
	type ExportedSession,
	type ProjectExport,
	type SessionExport
} from './schema.js';

/** The JSON text of a session export (pretty, so a person can read and diff it). */
export function sessionJson(session: ExportedSession, now = Date.now()): string {
	const file: SessionExport = {
		format: sessionFormat,
		version: exportVersion,
		exportedAt: now,
		session
	};
	return JSON.stringify(file, null, 2) + '\n';
}

export function projectJson(project: ExportedProject, now = Date.now()): string {
	const file: ProjectExport = {
		format: projectFormat,
		version: exportVersion,
		exportedAt: now,
		project
	};
	return JSON.stringify(file, null, 2) + '\n';
}
