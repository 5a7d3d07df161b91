import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** Every line the splitter yields when the bytes arrive in pieces of `size` bytes. */
function splitInChunks(bytes: Uint8Array, size: number, splitter = new LineSplitter()): string[] {
	const lines: string[] = [];
	for (let i = 0; i < bytes.length; i += size) {
		lines.push(...splitter.push(bytes.subarray(i, i + size)));
	}
	lines.push(...splitter.end());
	return lines;
}

describe('line splitter', () => {
	// Emoji (4 bytes, and a ZWJ sequence), a combining mark, Arabic and Hebrew (right to left).
	const text = [
		'{"text":"family 👨‍👩‍👧 rocket 🚀"}',
		'{"text":"e\u0301 café"}',
		'{"text":"مرحبا بالعالم"}',
		'{"text":"שלום עולם"}'
	].join('\n');

	it('[IM1] never cuts a multi-byte character split between chunks, at any chunk size', () => {
		const bytes = encode(text + '\n');
		for (let size = 1; size <= 9; size++) {
			expect(splitInChunks(bytes, size)).toEqual(text.split('\n'));
		}
	});

	it('[IM1] handles \\r\\n endings and a last line without a newline', () => {
		expect(splitInChunks(encode('a\r\nb\r\nlast'), 2)).toEqual(['a', 'b', 'last']);
		expect(splitInChunks(encode('only'), 3)).toEqual(['only']);
		expect(splitInChunks(encode(''), 3)).toEqual([]);
		expect(splitInChunks(encode('a\n\nb\n'), 1)).toEqual(['a', '', 'b']);
	});

	it('[IM1] drops a line over the limit as it streams, counts it, and keeps the next ones', () => {
		const splitter = new LineSplitter({ maxLineLength: 10 });
		const long = 'x'.repeat(1000);
		const lines = splitInChunks(encode(`short\n${long}\nafter\n${long}`), 7, splitter);
		expect(lines).toEqual(['short', 'after']);
		expect(splitter.skippedLongLines).toBe(2);
	});

	it('[IM1] keeps a line exactly at the limit', () => {
		const splitter = new LineSplitter({ maxLineLength: 10 });
		expect(splitInChunks(encode('0123456789\n01234567890\n'), 4, splitter)).toEqual(['0123456789']);
		expect(splitter.skippedLongLines).toBe(1);
	});

	it('[IM1] turns invalid UTF-8 into replacement characters instead of failing', () => {
		const bytes = new Uint8Array([0x61, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0xf0, 0x9f]);
		expect(splitInChunks(bytes, 1)).toEqual(['a\ufffd\ufffd', '\ufffd(', '\ufffd']);
	});
});
