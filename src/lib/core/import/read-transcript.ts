/**
 * Reads a Claude Code transcript from a stream of bytes (`file.stream()` in a browser or a Web
 * Worker, a file read stream in Node): lines are split and parsed as they arrive, so the file is
 * never held whole.
 */
import { ClaudeCodeParser, type ClaudeCodeParserOptions } from './claude-code.js';
import { LineSplitter, type LineSplitterOptions } from './line-splitter.js';
import type { ImportResult } from './transcript.js';

export interface ReadTranscriptOptions extends ClaudeCodeParserOptions, LineSplitterOptions {
	/** Called after each chunk with the bytes read so far (for a progress bar). */
	onProgress?: (bytesRead: number) => void;
}

export async function readClaudeCodeTranscript(
	chunks: AsyncIterable<Uint8Array>,
	options: ReadTranscriptOptions = {}
): Promise<ImportResult> {
	const splitter = new LineSplitter(options);
	const parser = new ClaudeCodeParser(options);
	let bytesRead = 0;
	for await (const chunk of chunks) {
		for (const line of splitter.push(chunk)) parser.add(line);
		bytesRead += chunk.byteLength;
		options.onProgress?.(bytesRead);
	}
	for (const line of splitter.end()) parser.add(line);
	if (splitter.skippedLongLines > 0) parser.skip('line-too-long', splitter.skippedLongLines);
	return parser.finish();
}

/** A `ReadableStream` as chunks (not every browser makes streams async-iterable yet). */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
	const reader = stream.getReader();
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) return;
			yield value;
		}
	} finally {
		reader.releaseLock();
	}
}
