/// <reference lib="webworker" />
/**
 * The Web Worker that reads files to import, so a 100 MB transcript never blocks the page: each
 * file is streamed (`file.stream()`) through the pure reader, progress is posted per chunk, and the
 * whole read (or its error) is posted once the file is done. It writes nothing; the page does,
 * after a successful read.
 */
import { readImportFile, type FileRead } from '../core/import/read-file.js';

export type WorkerRequest = { files: File[] };
export type WorkerReply =
	| { type: 'progress'; index: number; bytesRead: number }
	| { type: 'file'; index: number; read: FileRead }
	| { type: 'done' };

declare const self: DedicatedWorkerGlobalScope;

const post = (reply: WorkerReply) => self.postMessage(reply);

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
	const { files } = event.data;
	for (const [index, file] of files.entries()) {
		let read: FileRead;
		try {
			read = await readImportFile(file, (bytesRead) =>
				post({ type: 'progress', index, bytesRead })
			);
		} catch (error) {
			console.error(error);
			read = { ok: false, error: `"${file.name}" could not be read.` };
		}
		post({ type: 'file', index, read });
	}
	post({ type: 'done' });
};
