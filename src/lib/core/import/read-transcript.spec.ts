import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readClaudeCodeTranscript, streamChunks } from './read-transcript.js';

const encoder = new TextEncoder();

/** Yields `bytes` in pieces of `size` (the way `file.stream()` hands a file over). */
async function* inChunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
	for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('reading a transcript stream', () => {
	it('[IM1] [IM2] a too-long line and a truncated last line are counted in the report', async () => {
		const lines = [
			JSON.stringify({ type: 'user', uuid: 'u1', sessionId: 's', message: { content: 'hi 👋' } }),
			JSON.stringify({
				type: 'user',
				uuid: 'u2',
				parentUuid: 'u1',
				sessionId: 's',
				message: { content: 'x'.repeat(5000) }
			}),
			JSON.stringify({
				type: 'assistant',
				uuid: 'a1',
				parentUuid: 'u1',
				sessionId: 's',
				message: { content: [{ type: 'text', text: 'hello' }] }
			}),
			'{"type":"user","uuid":"u3","parentUuid":"a1","sessionId":"s","message":{"cont'
		];
		const bytes = encoder.encode(lines.join('\n'));
		const progress: number[] = [];
		const { sessions, report } = await readClaudeCodeTranscript(inChunks(bytes, 64), {
			maxLineLength: 1000,
			onProgress: (read) => progress.push(read)
		});
		expect(sessions[0]?.messages.map((m) => (m.role === 'user' ? m.text : 'answer'))).toEqual([
			'hi 👋',
			'answer'
		]);
		expect(report.skippedReasons).toEqual({ 'line-too-long': 1, 'invalid-json': 1 });
		expect(report.skippedLines).toBe(2);
		expect(report.lines).toBe(4);
		expect(progress.at(-1)).toBe(bytes.length);
		expect(progress).toEqual([...progress].sort((a, b) => a - b));
	});

	it('[IM1] reads a ReadableStream (as file.stream() gives it)', async () => {
		const line = JSON.stringify({
			type: 'user',
			uuid: 'u1',
			sessionId: 's',
			message: { content: 'שלום' }
		});
		const stream = new Blob([line, '\n']).stream();
		const { sessions } = await readClaudeCodeTranscript(streamChunks(stream));
		expect(sessions[0]?.messages).toEqual([
			{ role: 'user', createdAt: 0, text: 'שלום', kind: 'prompt' }
		]);
	});
});

/**
 * A realistic transcript of about `targetBytes`: most of a real file is what the import does not
 * keep (hook progress, file history snapshots, the `toolUseResult` copy of each tool's output,
 * the usage repeated on every line of a response), so what the parser keeps is a fraction of it.
 * Generated turn by turn, never held whole.
 */
async function* generatedTranscript(
	targetBytes: number,
	chunkSize: number
): AsyncIterable<Uint8Array> {
	const session = 'big-session';
	const letters = 'abcdefghijklmnopqrstuvwxyz'.repeat(400);
	const filler = (n: number, seed: number) => letters.slice(seed % 26, (seed % 26) + n);
	let parent: string | null = null;
	let produced = 0;
	let pending: Uint8Array[] = [];
	let pendingBytes = 0;
	for (let turn = 0; produced < targetBytes; turn++) {
		const time = new Date(Date.UTC(2026, 0, 1) + turn * 1000).toISOString();
		const common = { sessionId: session, cwd: '/home/ada/big', gitBranch: 'main', timestamp: time };
		const usage = { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 30 };
		const lines: object[] = [];
		const link = (uuid: string, fields: object) => {
			lines.push({ ...common, uuid, parentUuid: parent, ...fields });
			parent = uuid;
		};
		link(`u${turn}`, { type: 'user', message: { role: 'user', content: `Question ${turn} 🚀` } });
		for (let p = 0; p < 3; p++) {
			link(`p${turn}.${p}`, {
				type: 'progress',
				data: { type: 'hook_progress', output: filler(1500, turn + p) }
			});
		}
		link(`a${turn}`, {
			type: 'assistant',
			message: {
				id: `msg_${turn}`,
				role: 'assistant',
				content: [{ type: 'text', text: `Answer ${turn}` }],
				usage
			}
		});
		link(`b${turn}`, {
			type: 'assistant',
			message: {
				id: `msg_${turn}`,
				role: 'assistant',
				content: [
					{ type: 'tool_use', id: `toolu_${turn}`, name: 'Read', input: { file_path: '/x' } }
				],
				usage
			}
		});
		link(`r${turn}`, {
			type: 'user',
			message: {
				role: 'user',
				content: [{ type: 'tool_result', tool_use_id: `toolu_${turn}`, content: filler(300, turn) }]
			},
			toolUseResult: { type: 'text', file: { filePath: '/x', content: filler(8000, turn) } }
		});
		lines.push({
			type: 'file-history-snapshot',
			messageId: `u${turn}`,
			snapshot: { files: filler(2000, turn) }
		});
		const bytes = encoder.encode(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
		produced += bytes.length;
		pending.push(bytes);
		pendingBytes += bytes.length;
		while (pendingBytes >= chunkSize) {
			const all = new Uint8Array(pendingBytes);
			let at = 0;
			for (const piece of pending) {
				all.set(piece, at);
				at += piece.length;
			}
			yield all.subarray(0, chunkSize);
			pending = [all.subarray(chunkSize)];
			pendingBytes -= chunkSize;
		}
	}
	for (const piece of pending) yield piece;
}

describe('memory', () => {
	it('[IM13] a 20 MB transcript read in 64 KB chunks grows the heap well below its size', async () => {
		// A collectable heap gives a measure of what is kept, not of garbage waiting.
		setFlagsFromString('--expose-gc');
		const gc = runInNewContext('gc') as () => void;
		const size = 20 * 1024 * 1024;
		gc();
		const before = process.memoryUsage().heapUsed;
		let peak = 0;
		let chunks = 0;
		const measured = async function* () {
			for await (const chunk of generatedTranscript(size, 64 * 1024)) {
				yield chunk;
				if (++chunks % 32 === 0) {
					gc();
					peak = Math.max(peak, process.memoryUsage().heapUsed - before);
				}
			}
		};
		let bytesRead = 0;
		const result = await readClaudeCodeTranscript(measured(), {
			onProgress: (read) => (bytesRead = read)
		});
		gc();
		const kept = process.memoryUsage().heapUsed - before;
		// The import is complete: one session, one prompt and one answer per turn, every call
		// answered.
		const turns = result.report.messages / 2;
		expect(bytesRead).toBeGreaterThanOrEqual(size);
		expect(result.report.sessions).toBe(1);
		expect(turns).toBeGreaterThan(1000);
		expect(result.report.toolCalls).toBe(turns);
		expect(result.report.unmatchedToolResults).toBe(0);
		// What stays is the conversation (about a tenth of the file), not the file or its lines.
		expect(peak).toBeLessThan(size / 4);
		expect(kept).toBeLessThan(size / 4);
	});
});
