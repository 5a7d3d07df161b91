/// <reference lib="webworker" />
/**
 * The Web Worker that reads files to import, so a 100 MB transcript never blocks the page: each
 * file is streamed (`file.stream()`) through the pure reader, progress is posted per chunk, and the
 * whole read (or its error) is posted once the file is done. It writes nothing; the page does,
 * after a successful read.
 */
import type { ExportedMessage } from '../core/export/schema.js';
import { readImportFile, type FileRead } from '../core/import/read-file.js';

export type WorkerRequest = { files: File[] };
export type WorkerReply =
	| { type: 'progress'; index: number; bytesRead: number }
	/** Messages of a file's session, in order, ahead of the file's read (which holds none). */
	| { type: 'messages'; index: number; session: number; messages: ExportedMessage[] }
	| { type: 'file'; index: number; read: FileRead }
	| { type: 'done' };

/** Messages per reply: each reply is copied into the page in a task of its own. */
const messagesPerReply = 500;

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
		postRead(index, read);
	}
	post({ type: 'done' });
};

/**
 * Posts what a file held: its sessions' messages first, a slice per reply, then the read without
 * them. One reply holding a 100 MB transcript's messages is one copy into the page, a task long
 * enough to freeze it.
 */
function postRead(index: number, read: FileRead): void {
	if (read.ok) {
		const sessions = read.kind === 'project' ? read.project.sessions : read.sessions;
		for (const [session, { messages }] of sessions.entries()) {
			for (let start = 0; start < messages.length; start += messagesPerReply) {
				const slice = messages.slice(start, start + messagesPerReply);
				post({ type: 'messages', index, session, messages: slice });
			}
		}
		for (const session of sessions) session.messages = [];
	}
	post({ type: 'file', index, read });
}
