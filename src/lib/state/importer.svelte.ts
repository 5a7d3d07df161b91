import type { ExportedMessage } from '../core/export/schema.js';
import type { FileRead } from '../core/import/read-file.js';
import { importProject, importSessions } from '../store/library.js';
import { store } from './app.svelte.js';
import type { WorkerReply, WorkerRequest } from './import-worker.js';

/*
 * Importing files a person chose or dropped: the files are read in a Web Worker, and what a file
 * held is written (through the doc store, so it syncs like anything made here) only once the
 * whole file was read without error. One import at a time; its progress and report are state the
 * views draw.
 */

export interface FileOutcome {
	name: string;
	ok: boolean;
	/** What was imported, or why not, in words. */
	text: string;
}

export interface ImportSummary {
	/** Sessions written, over all files. */
	sessions: number;
	messages: number;
	/** Lines of transcripts that could not be used. */
	skippedLines: number;
	/** Sessions the project already had from an earlier import of the same transcript ([LB30]). */
	alreadyImported: number;
	files: FileOutcome[];
	/** Where the first imported session went (to open it). */
	firstSession?: { projectId: string; sessionId: string };
}

class Importer {
	running = $state(false);
	/** Bytes read of all files, and their total, for the progress bar. */
	bytesRead = $state(0);
	totalBytes = $state(0);
	summary = $state.raw<ImportSummary | undefined>();

	/** Imports the files into the project (a Tether project export becomes a project of its own). */
	async run(files: File[], projectId: string): Promise<ImportSummary | undefined> {
		if (this.running || files.length === 0) return undefined;
		this.running = true;
		this.summary = undefined;
		this.bytesRead = 0;
		this.totalBytes = files.reduce((sum, f) => sum + f.size, 0);
		const summary: ImportSummary = {
			sessions: 0,
			messages: 0,
			skippedLines: 0,
			alreadyImported: 0,
			files: []
		};
		const before = files.map((_f, i) => files.slice(0, i).reduce((sum, f) => sum + f.size, 0));
		const worker = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module' });
		try {
			await new Promise<void>((resolve, reject) => {
				// Writes happen one file after another, in the order the worker finishes them.
				let writing = Promise.resolve();
				// The messages of the file being read, per session, until its read arrives.
				let arriving: ExportedMessage[][] = [];
				worker.onerror = () => reject(new Error('The import worker failed.'));
				worker.onmessage = (event: MessageEvent<WorkerReply>) => {
					const reply = event.data;
					if (reply.type === 'progress') {
						this.bytesRead = before[reply.index]! + reply.bytesRead;
					} else if (reply.type === 'messages') {
						const messages = (arriving[reply.session] ??= []);
						for (const message of reply.messages) messages.push(message);
					} else if (reply.type === 'file') {
						const file = files[reply.index]!;
						const read = withMessages(reply.read, arriving);
						arriving = [];
						writing = writing.then(() => this.#write(file.name, read, projectId, summary));
					} else {
						writing.then(resolve, reject);
					}
				};
				worker.postMessage({ files } satisfies WorkerRequest);
			});
		} catch (error) {
			console.error(error);
			summary.files.push({
				name: '',
				ok: false,
				text: 'The import stopped: something went wrong.'
			});
		} finally {
			worker.terminate();
			this.bytesRead = this.totalBytes;
			this.summary = summary;
			this.running = false;
		}
		return summary;
	}

	dismiss(): void {
		this.summary = undefined;
	}

	async #write(name: string, read: FileRead, projectId: string, summary: ImportSummary) {
		if (!read.ok) {
			summary.files.push({ name, ok: false, text: read.error });
			return;
		}
		try {
			if (read.kind === 'project') {
				await importProject(store(), read.project);
				const messages = read.project.sessions.reduce((n, s) => n + s.messages.length, 0);
				summary.sessions += read.project.sessions.length;
				summary.messages += messages;
				summary.files.push({
					name,
					ok: true,
					text: `"${name}": project “${read.project.name}” with ${plural(read.project.sessions.length, 'session')} and ${plural(messages, 'message')}.`
				});
				return;
			}
			const { ids, messages, alreadyImported } = await importSessions(
				store(),
				projectId,
				read.sessions
			);
			summary.alreadyImported += alreadyImported;
			if (ids.length === 0) {
				summary.files.push({
					name,
					ok: true,
					text: `"${name}": already imported into this project, nothing added.`
				});
				return;
			}
			summary.sessions += ids.length;
			summary.messages += messages;
			summary.firstSession ??= { projectId, sessionId: ids[0]! };
			const skipped = read.report?.skippedLines ?? 0;
			summary.skippedLines += skipped;
			const tools = read.report ? `, ${plural(read.report.toolCalls, 'tool call')}` : '';
			const already = alreadyImported > 0 ? `; ${alreadyImported} already imported` : '';
			summary.files.push({
				name,
				ok: true,
				text: `"${name}": ${plural(ids.length, 'session')}, ${plural(messages, 'message')}${tools}; ${plural(skipped, 'line')} skipped${already}.`
			});
		} catch (error) {
			console.error(error);
			summary.files.push({ name, ok: false, text: `"${name}" could not be saved on this device.` });
		}
	}
}

/** The read of a file with its sessions' messages, which the worker sent ahead of it. */
function withMessages(read: FileRead, messages: ExportedMessage[][]): FileRead {
	if (!read.ok) return read;
	const sessions = read.kind === 'project' ? read.project.sessions : read.sessions;
	sessions.forEach((session, i) => (session.messages = messages[i] ?? []));
	return read;
}

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const importer = new Importer();
