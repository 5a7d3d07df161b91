import type * as Y from 'yjs';
import { listPaths, MAX_FILE_BYTES, workspace } from '../core/files.js';
import type { Upload } from '../core/workspace-actions.js';

/**
 * The open project's file paths, kept current as files are added, renamed or deleted here, in
 * another tab, on another device or by Claude's tools. Create in an $effect; destroy in its
 * cleanup.
 */
export class WorkspaceFiles {
	/** Sorted paths; a new array on every change, so views that read it redraw. */
	paths = $state.raw<string[]>([]);
	readonly #files: Y.Map<Y.Text>;
	readonly #observer: () => void;

	constructor(readonly doc: Y.Doc) {
		this.#files = workspace(doc);
		this.paths = listPaths(doc);
		this.#observer = () => (this.paths = listPaths(doc));
		this.#files.observe(this.#observer);
	}

	/** The text of the file at `path`, or undefined when there is none. */
	text(path: string): Y.Text | undefined {
		return this.#files.get(path);
	}

	destroy(): void {
		this.#files.unobserve(this.#observer);
	}
}

/**
 * Reads chosen or dropped files. Only the first MAX_FILE_BYTES + 1 bytes of each are read: that
 * is enough to refuse an oversized file without holding all of it in memory.
 */
export async function readUploads(files: Iterable<File>): Promise<Upload[]> {
	return Promise.all(
		[...files].map(async (file) => ({
			name: file.name,
			bytes: new Uint8Array(await file.slice(0, MAX_FILE_BYTES + 1).arrayBuffer())
		}))
	);
}
