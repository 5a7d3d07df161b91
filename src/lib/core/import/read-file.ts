/**
 * One file a person chose to import, read to sessions ready to write, or to a sentence saying why
 * not. Pure (a file is anything with a name, a size and a byte stream), so it runs in the Web
 * Worker, in unit tests and in a command-line tool alike. Nothing is written here: the caller
 * writes only what a whole, successful read returned, so a bad file leaves nothing behind.
 */
import type { ExportedProject, ExportedSession } from '../export/schema.js';
import { claudeCodeSession } from './from-claude-code.js';
import { readClaudeCodeTranscript, streamChunks } from './read-transcript.js';
import { readTetherExport } from './tether-json.js';
import type { ImportReport } from './transcript.js';

/** Largest Claude Code transcript (read as a stream, line by line). */
export const maxTranscriptBytes = 512 * 1024 * 1024;
/** Largest Tether export: JSON has to be parsed whole, so it is held whole once. */
export const maxTetherJsonBytes = 64 * 1024 * 1024;

export interface ImportFile {
	name: string;
	size: number;
	stream(): ReadableStream<Uint8Array>;
}

export type FileRead =
	| { ok: true; kind: 'sessions'; sessions: ExportedSession[]; report?: ImportReport }
	| { ok: true; kind: 'project'; project: ExportedProject }
	| { ok: false; error: string };

export async function readImportFile(
	file: ImportFile,
	onProgress: (bytesRead: number) => void = () => {}
): Promise<FileRead> {
	const name = `"${file.name}"`;
	if (file.size === 0) return refuse(`${name} is empty.`);
	const transcript = /\.jsonl$/i.test(file.name);
	const limit = transcript ? maxTranscriptBytes : maxTetherJsonBytes;
	if (file.size > limit) {
		return refuse(
			`${name} is larger than ${Math.round(limit / 1024 / 1024)} MB, the most one file may be.`
		);
	}
	const chunks = withChecks(streamChunks(file.stream()), onProgress);
	const json = /\.json$/i.test(file.name);
	try {
		return transcript ? await readTranscript(name, chunks) : await readTether(name, chunks, json);
	} catch (error) {
		if (error instanceof BinaryFileError) return refuse(`${name} is not a text file.`);
		throw error;
	}
}

async function readTranscript(name: string, chunks: AsyncIterable<Uint8Array>): Promise<FileRead> {
	const { sessions, report } = await readClaudeCodeTranscript(chunks);
	if (sessions.length === 0) {
		if (report.lines > 0 && report.skippedLines === report.lines) {
			return refuse(
				`${name} is not a Claude Code transcript: none of its ${report.lines} lines could be read.`
			);
		}
		if (report.sidechainLines > 0) {
			// A sub-agent's own file: its lines belong to the main session's transcript.
			return refuse(
				`${name} holds only a sub-agent's conversation (${report.sidechainLines} ${report.sidechainLines === 1 ? 'line' : 'lines'}); import the main session's transcript, which holds what the sub-agent reported.`
			);
		}
		return refuse(`${name} holds no conversation to import.`);
	}
	return { ok: true, kind: 'sessions', sessions: sessions.map(claudeCodeSession), report };
}

async function readTether(
	name: string,
	chunks: AsyncIterable<Uint8Array>,
	namedJson: boolean
): Promise<FileRead> {
	const decoder = new TextDecoder('utf-8', { fatal: true });
	const pieces: string[] = [];
	try {
		for await (const chunk of chunks) pieces.push(decoder.decode(chunk, { stream: true }));
		pieces.push(decoder.decode());
	} catch (error) {
		if (error instanceof TypeError) return refuse(`${name} is not UTF-8 text.`);
		throw error;
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(pieces.join(''));
	} catch {
		// A file of another kind (an exported .md, a .txt) says what can be imported instead.
		if (!namedJson) {
			return refuse(
				`${name} cannot be imported: choose a Tether export (.json) or a Claude Code transcript (.jsonl).`
			);
		}
		return refuse(`${name} is not valid JSON (it may be cut short).`);
	}
	const read = readTetherExport(parsed);
	if (!read.ok) return refuse(`${name} cannot be imported: ${read.error}`);
	const file = read.value;
	return file.format === 'tether.session'
		? { ok: true, kind: 'sessions', sessions: [file.session] }
		: { ok: true, kind: 'project', project: file.project };
}

class BinaryFileError extends Error {}

/** Refuses a file with NUL bytes (no text format has them) and reports progress per chunk. */
async function* withChecks(
	chunks: AsyncIterable<Uint8Array>,
	onProgress: (bytesRead: number) => void
): AsyncIterable<Uint8Array> {
	let read = 0;
	for await (const chunk of chunks) {
		if (chunk.includes(0)) throw new BinaryFileError();
		read += chunk.byteLength;
		yield chunk;
		onProgress(read);
	}
}

function refuse(error: string): FileRead {
	return { ok: false, error };
}
