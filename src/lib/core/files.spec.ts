import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	MAX_FILE_BYTES,
	decodeTextFile,
	deleteFile,
	listPaths,
	normalizePath,
	readFile,
	renameFile,
	writeFile
} from './files.js';

describe('workspace paths [FS1]', () => {
	it('normalizes separators, dots and spaces around parts', () => {
		expect(normalizePath('/src//./lib/../main.ts')).toEqual({ ok: true, value: 'src/main.ts' });
		expect(normalizePath(' notes / todo.md ')).toEqual({ ok: true, value: 'notes/todo.md' });
	});

	it('refuses paths that escape, name nothing or hide characters', () => {
		for (const bad of ['../etc/passwd', 'a/../../b', '', '/', './', 'a\\b', 'a\u0000b']) {
			expect(normalizePath(bad).ok, bad).toBe(false);
		}
		expect(normalizePath('a/'.repeat(40) + 'x').ok).toBe(false);
	});

	it('keeps Unicode names whole', () => {
		expect(normalizePath('café/😀 notes/מסמך.md')).toEqual({
			ok: true,
			value: 'café/😀 notes/מסמך.md'
		});
	});
});

describe('workspace files [FS2]', () => {
	it('writes, edits in place, renames and deletes', () => {
		const doc = new Y.Doc();
		expect(writeFile(doc, 'a.txt', 'hello').ok).toBe(true);
		const text = doc.getMap<Y.Text>('files').get('a.txt');
		writeFile(doc, 'a.txt', 'hello world');
		expect(doc.getMap<Y.Text>('files').get('a.txt')).toBe(text);
		expect(readFile(doc, 'a.txt')).toBe('hello world');
		writeFile(doc, 'b.txt', 'b');
		expect(renameFile(doc, 'a.txt', 'b.txt').ok).toBe(false);
		expect(renameFile(doc, 'a.txt', 'c/a.txt').ok).toBe(true);
		expect(listPaths(doc)).toEqual(['b.txt', 'c/a.txt']);
		expect(deleteFile(doc, 'b.txt')).toBe(true);
		expect(listPaths(doc)).toEqual(['c/a.txt']);
	});

	it('refuses content over the limit, counted in UTF-8 bytes', () => {
		const doc = new Y.Doc();
		const emoji = '😀'.repeat(MAX_FILE_BYTES / 4 + 1);
		expect(writeFile(doc, 'big.txt', emoji).ok).toBe(false);
		expect(writeFile(doc, 'ok.txt', '😀'.repeat(MAX_FILE_BYTES / 4)).ok).toBe(true);
	});

	it('refuses binary and non-UTF-8 uploads with a reason', () => {
		const binary = decodeTextFile('x.png', new Uint8Array([0x89, 0x50, 0, 1]));
		expect(binary).toEqual({ ok: false, error: expect.stringContaining('binary') });
		expect(decodeTextFile('x.txt', new Uint8Array([0xff, 0xfe, 0x41])).ok).toBe(false);
		const text = new TextEncoder().encode('héllo 👋');
		expect(decodeTextFile('x.txt', text)).toEqual({ ok: true, value: 'héllo 👋' });
	});
});
