import { strToU8, zipSync, type Zippable } from 'fflate';

/*
 * "Download all": the workspace as one zip (fflate, loaded only when a person asks for it).
 * Paths are already normalized ([FS1]): relative, "/"-separated, never climbing out, so
 * unpacking the zip cannot write outside its folder.
 */

/** A zip holding each file at its workspace path, as UTF-8. */
export function zipFiles(files: Iterable<readonly [path: string, content: string]>): Uint8Array {
	const entries: Zippable = {};
	for (const [path, content] of files) entries[path] = strToU8(content);
	return zipSync(entries, { level: 6 });
}

// Characters that common file systems refuse in a name.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001f\u007f/\\:*?"<>|]+/g;

/** The download's file name, from the project's name: `My project.zip`. */
export function zipName(projectName: string | undefined): string {
	const base = (projectName ?? '').replace(unsafe, '-').trim().replace(/^\.+/, '');
	return `${base || 'workspace'}.zip`;
}
