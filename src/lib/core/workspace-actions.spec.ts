import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { listPaths, MAX_FILE_BYTES, readFile, writeFile } from './files.js';
import { addUploads, createFile, moveFile } from './workspace-actions.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('Files region actions [FS4]', () => {
	it('[FS4] a new file gets the normalized path; an existing one or a path out of the workspace is refused', () => {
		const doc = new Y.Doc();
		expect(createFile(doc, ' /notes//todo.md ')).toEqual({ ok: true, value: 'notes/todo.md' });
		expect(readFile(doc, 'notes/todo.md')).toBe('');
		writeFile(doc, 'notes/todo.md', 'keep me');
		expect(createFile(doc, 'notes/./todo.md')).toEqual({
			ok: false,
			error: 'A file "notes/todo.md" already exists.'
		});
		expect(readFile(doc, 'notes/todo.md')).toBe('keep me');
		const outside = createFile(doc, '../escape.md');
		expect(outside.ok).toBe(false);
		expect(!outside.ok && outside.error).toContain('outside the workspace');
		expect(listPaths(doc)).toEqual(['notes/todo.md']);
	});

	it('[FS4] rename moves the text to the normalized path and never overwrites', () => {
		const doc = new Y.Doc();
		writeFile(doc, 'a.md', 'alpha');
		writeFile(doc, 'b.md', 'beta');
		expect(moveFile(doc, 'a.md', 'docs//a2.md')).toEqual({ ok: true, value: 'docs/a2.md' });
		expect(readFile(doc, 'docs/a2.md')).toBe('alpha');
		expect(moveFile(doc, 'b.md', 'docs/a2.md').ok).toBe(false);
		expect(moveFile(doc, 'b.md', '..').ok).toBe(false);
		expect(listPaths(doc)).toEqual(['b.md', 'docs/a2.md']);
	});

	it('[FS4] uploads add the text files in one update and refuse binary, non-UTF-8 and oversized ones, saying the limit', () => {
		const doc = new Y.Doc();
		let updates = 0;
		doc.on('update', () => updates++);
		const outcome = addUploads(doc, [
			{ name: 'one.md', bytes: bytes('# One 🙂') },
			{ name: 'two.txt', bytes: bytes('two') },
			{ name: 'image.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
			{ name: 'latin1.txt', bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) },
			{ name: 'huge.log', bytes: new Uint8Array(MAX_FILE_BYTES + 1).fill(0x61) }
		]);
		expect(outcome.added).toEqual(['one.md', 'two.txt']);
		expect(outcome.refused).toEqual([
			'"image.png" is a binary file; only text files can be added.',
			'"latin1.txt" is not UTF-8 text; only text files can be added.',
			'"huge.log" is larger than 1 MB, the limit for a workspace file.'
		]);
		expect(updates).toBe(1);
		expect(readFile(doc, 'one.md')).toBe('# One 🙂');
		expect(listPaths(doc)).toEqual(['one.md', 'two.txt']);
	});

	it('[FS4] an upload with the name of an existing file replaces its text in place', () => {
		const doc = new Y.Doc();
		writeFile(doc, 'one.md', 'old');
		const before = doc.getMap<Y.Text>('files').get('one.md');
		expect(addUploads(doc, [{ name: 'one.md', bytes: bytes('new') }]).added).toEqual(['one.md']);
		expect(doc.getMap<Y.Text>('files').get('one.md')).toBe(before);
		expect(readFile(doc, 'one.md')).toBe('new');
	});
});
