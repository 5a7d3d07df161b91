import { exportFileName } from '../core/export/file-name.js';
import { projectJson, sessionJson } from '../core/export/json.js';
import { sessionMarkdown } from '../core/export/markdown.js';
import { projectForExport, sessionForExport } from '../store/library.js';
import { store } from './app.svelte.js';

/*
 * Export verbs for views. This module (and the serializers) is imported only when a person asks
 * for an export, so it costs nothing at start.
 */

export type ExportFormat = 'markdown' | 'json';

export interface Download {
	fileName: string;
	type: string;
	text: string;
}

export async function sessionDownload(
	sessionId: string,
	format: ExportFormat
): Promise<Download | undefined> {
	const session = await sessionForExport(store(), sessionId);
	if (!session) return undefined;
	return format === 'markdown'
		? {
				fileName: exportFileName(session.title, 'md'),
				type: 'text/markdown',
				text: sessionMarkdown(session)
			}
		: {
				fileName: exportFileName(session.title, 'json'),
				type: 'application/json',
				text: sessionJson(session)
			};
}

export async function projectDownload(projectId: string): Promise<Download | undefined> {
	const project = await projectForExport(store(), projectId);
	if (!project) return undefined;
	return {
		fileName: exportFileName(project.name, 'json'),
		type: 'application/json',
		text: projectJson(project)
	};
}

/** Hands the text to the browser as a file download. */
export function saveDownload({ fileName, type, text }: Download): void {
	const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	link.style.display = 'none';
	document.body.append(link);
	link.click();
	link.remove();
	// The download has taken the blob by the next task; letting go frees its memory.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}
