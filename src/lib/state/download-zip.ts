import type * as Y from 'yjs';
import { listPaths, workspace } from '../core/files.js';
import { zipFiles, zipName } from '../core/workspace-zip.js';

// Loaded on demand (`import()`), so the zip library stays out of the app's first load.

/** Saves the whole workspace as `<project name>.zip`. */
export function downloadZip(doc: Y.Doc, projectName: string | undefined): void {
	const files = workspace(doc);
	const zip = zipFiles(listPaths(doc).map((path) => [path, files.get(path)?.toString() ?? '']));
	const url = URL.createObjectURL(new Blob([zip as BlobPart], { type: 'application/zip' }));
	const link = document.createElement('a');
	link.href = url;
	link.download = zipName(projectName);
	link.click();
	// The browser has taken the URL once the download started; free it after that.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
