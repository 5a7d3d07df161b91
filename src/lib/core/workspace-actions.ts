import type * as Y from 'yjs';
import {
	decodeTextFile,
	normalizePath,
	renameFile,
	workspace,
	writeFile,
	type Checked
} from './files.js';

/*
 * What the Files region does to a project's workspace, in terms of `files.ts`: names typed by a
 * person are normalized here, and every refusal comes back as a sentence to show.
 */

/** Creates an empty file at the typed path; an existing file is never overwritten. */
export function createFile(doc: Y.Doc, typed: string, origin: unknown = null): Checked<string> {
	const path = normalizePath(typed);
	if (!path.ok) return path;
	if (workspace(doc).has(path.value)) {
		return { ok: false, error: `A file "${path.value}" already exists.` };
	}
	return writeFile(doc, path.value, '', origin);
}

/** Moves a file to the typed path. */
export function moveFile(
	doc: Y.Doc,
	from: string,
	typed: string,
	origin: unknown = null
): Checked<string> {
	const to = normalizePath(typed);
	if (!to.ok) return to;
	return renameFile(doc, from, to.value, origin);
}

/** An uploaded or dropped file: its name and (at most the first MAX_FILE_BYTES + 1 of) its bytes. */
export interface Upload {
	name: string;
	bytes: Uint8Array;
}

export interface UploadOutcome {
	/** Paths written, new or replaced. */
	added: string[];
	/** One sentence per file that was refused, saying why. */
	refused: string[];
}

/**
 * Adds uploaded text files at the top of the workspace (a file with the same path is replaced,
 * edited in place), in one transaction so they reach other devices together. Binary, non-UTF-8
 * or oversized files are refused one by one; the others are still added.
 */
export function addUploads(
	doc: Y.Doc,
	uploads: readonly Upload[],
	origin: unknown = null
): UploadOutcome {
	const outcome: UploadOutcome = { added: [], refused: [] };
	doc.transact(() => {
		for (const upload of uploads) {
			const path = normalizePath(upload.name);
			if (!path.ok) {
				outcome.refused.push(path.error);
				continue;
			}
			const text = decodeTextFile(upload.name, upload.bytes);
			if (!text.ok) {
				outcome.refused.push(text.error);
				continue;
			}
			const written = writeFile(doc, path.value, text.value, origin);
			if (written.ok) outcome.added.push(written.value);
			else outcome.refused.push(written.error);
		}
	}, origin);
	return outcome;
}
