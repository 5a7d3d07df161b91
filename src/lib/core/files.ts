import * as Y from 'yjs';
import { replaceText } from './shapes.js';

/*
 * The project workspace: text files kept in the project document as `files: Y.Map<path, Y.Text>`,
 * so a file synced, edited by a person or by a tool, stores only what changed. Paths are the
 * normalized form below and are the map's keys; everything that writes files (the Files region,
 * uploads, Claude's tools on the server) goes through these functions so the rules hold everywhere.
 */

/** Largest file, in UTF-8 bytes: a workspace is for text a person and Claude read and edit. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Most files in one project. */
export const MAX_FILES = 2000;
/** Longest normalized path, in UTF-16 code units, and deepest nesting. */
export const MAX_PATH_LENGTH = 512;
export const MAX_PATH_DEPTH = 32;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function workspace(projectDoc: Y.Doc): Y.Map<Y.Text> {
	return projectDoc.getMap('files');
}

// Control characters and backslashes have no place in a path: they hide what a path is, and a
// backslash is a separator on some systems the zip may be unpacked on.
// eslint-disable-next-line no-control-regex
const forbidden = /[\u0000-\u001f\u007f\\]/;

/**
 * The workspace path for what a person or a tool typed: `/a//b/./c.txt` and `a/b/c.txt` are the
 * same file. A path that climbs out of the workspace (`../x`), names nothing, or breaks a limit is
 * refused with a sentence saying why.
 */
export function normalizePath(raw: string): Checked<string> {
	if (forbidden.test(raw)) return refuse('A file path may not hold control characters or "\\".');
	const parts: string[] = [];
	for (const part of raw.split('/')) {
		const trimmed = part.trim();
		if (trimmed === '' || trimmed === '.') continue;
		if (trimmed === '..') {
			if (parts.length === 0) return refuse(`"${raw}" points outside the workspace.`);
			parts.pop();
			continue;
		}
		parts.push(trimmed);
	}
	if (parts.length === 0) return refuse('A file needs a name.');
	if (parts.length > MAX_PATH_DEPTH) {
		return refuse(`A file path may be at most ${MAX_PATH_DEPTH} folders deep.`);
	}
	const path = parts.join('/');
	if (path.length > MAX_PATH_LENGTH) {
		return refuse(`A file path may be at most ${MAX_PATH_LENGTH} characters long.`);
	}
	return { ok: true, value: path };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of an uploaded file, or why it cannot be a workspace file: binary (a NUL byte or bytes
 * that are not UTF-8) or over the size limit.
 */
export function decodeTextFile(name: string, bytes: Uint8Array): Checked<string> {
	if (bytes.byteLength > MAX_FILE_BYTES) return refuse(tooBig(name));
	if (bytes.includes(0)) return refuse(`"${name}" is a binary file; only text files can be added.`);
	try {
		return { ok: true, value: utf8.decode(bytes) };
	} catch {
		return refuse(`"${name}" is not UTF-8 text; only text files can be added.`);
	}
}

/** Whether `content` fits in a workspace file. */
export function checkContent(path: string, content: string): Checked<string> {
	// UTF-8 takes at most 3 bytes per UTF-16 code unit: most texts pass without encoding them.
	if (content.length * 3 > MAX_FILE_BYTES && utf8Length(content) > MAX_FILE_BYTES) {
		return refuse(tooBig(path));
	}
	return { ok: true, value: content };
}

/** Every file path in the workspace, sorted. */
export function listPaths(projectDoc: Y.Doc): string[] {
	return [...workspace(projectDoc).keys()].sort();
}

export function readFile(projectDoc: Y.Doc, path: string): string | undefined {
	return workspace(projectDoc).get(path)?.toString();
}

/**
 * Creates or overwrites the file at `path` (already normalized) with `content`. An existing file
 * is changed in place, touching only the span that differs, so concurrent edits merge.
 */
export function writeFile(
	projectDoc: Y.Doc,
	path: string,
	content: string,
	origin: unknown = null
): Checked<string> {
	const checked = checkContent(path, content);
	if (!checked.ok) return checked;
	const files = workspace(projectDoc);
	const existing = files.get(path);
	if (existing) {
		replaceText(existing, content, origin);
		return { ok: true, value: path };
	}
	if (files.size >= MAX_FILES) return refuse(`A project may hold at most ${MAX_FILES} files.`);
	projectDoc.transact(() => files.set(path, new Y.Text(content)), origin);
	return { ok: true, value: path };
}

/** Moves a file to a new path; refuses to overwrite a file that is already there. */
export function renameFile(
	projectDoc: Y.Doc,
	from: string,
	to: string,
	origin: unknown = null
): Checked<string> {
	const files = workspace(projectDoc);
	const text = files.get(from);
	if (!text) return refuse(`There is no file "${from}".`);
	if (from === to) return { ok: true, value: to };
	if (files.has(to)) return refuse(`A file "${to}" already exists.`);
	const content = text.toString();
	projectDoc.transact(() => {
		files.delete(from);
		files.set(to, new Y.Text(content));
	}, origin);
	return { ok: true, value: to };
}

/** Removes a file. Its text leaves stored history when the project document is next compacted. */
export function deleteFile(projectDoc: Y.Doc, path: string, origin: unknown = null): boolean {
	const files = workspace(projectDoc);
	if (!files.has(path)) return false;
	projectDoc.transact(() => files.delete(path), origin);
	return true;
}

function refuse(error: string): { ok: false; error: string } {
	return { ok: false, error };
}

function tooBig(name: string): string {
	return `"${name}" is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MB, the limit for a workspace file.`;
}

function utf8Length(text: string): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		if (unit < 0x80) bytes += 1;
		else if (unit < 0x800) bytes += 2;
		else if (unit >= 0xd800 && unit <= 0xdbff) {
			bytes += 4;
			i++;
		} else bytes += 3;
	}
	return bytes;
}
