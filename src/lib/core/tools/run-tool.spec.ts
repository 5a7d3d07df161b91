import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readFile, writeFile } from '../files.js';
import { projectInfo } from '../shapes.js';
import { hasLoneSurrogate } from '../text.js';
import { toolDefinitions } from './definitions.js';
import { runTool } from './run-tool.js';
import { unsafePattern } from './safe-regex.js';
import { diffCounts, toolSummary } from './summary.js';
import { MAX_RESULT_CHARS } from './tool-text.js';

function project(files: Record<string, string> = {}): Y.Doc {
	const doc = new Y.Doc();
	for (const [path, content] of Object.entries(files)) writeFile(doc, path, content);
	return doc;
}

describe('[TL] Claude tools on the workspace', () => {
	it('[TL1] every tool is offered with a JSON schema from its zod definition', () => {
		expect(toolDefinitions.map((t) => t.name)).toEqual([
			'list_files',
			'read_file',
			'write_file',
			'edit_file',
			'search_files',
			'delete_file',
			'update_project_information'
		]);
		const edit = toolDefinitions.find((t) => t.name === 'edit_file')!;
		expect(edit.input_schema).toMatchObject({
			type: 'object',
			required: ['path', 'old_string', 'new_string'],
			additionalProperties: false
		});
		expect(edit.input_schema).not.toHaveProperty('$schema');
	});

	it('[TL2] bad input becomes an error result, never a throw', () => {
		const doc = project();
		for (const input of [undefined, null, 'x', [], { path: 3 }, { path: 'a', extra: 1 }]) {
			const outcome = runTool(doc, 'read_file', input);
			expect(outcome.isError).toBe(true);
			expect(outcome.content).toMatch(/^Invalid input for read_file/);
		}
		expect(runTool(doc, 'rm_rf', {})).toEqual({
			content: 'There is no tool named "rm_rf".',
			isError: true
		});
		expect(runTool(doc, 'read_file', { path: 'a', offset: 0 }).isError).toBe(true);
	});

	it('[TL3] list_files lists every file or those matching a glob', () => {
		const doc = project({ 'src/a.ts': '', 'src/deep/b.ts': '', 'README.md': '', '.env': '' });
		expect(runTool(doc, 'list_files', {}).content).toBe('.env\nREADME.md\nsrc/a.ts\nsrc/deep/b.ts');
		expect(runTool(doc, 'list_files', { pattern: 'src/**/*.ts' }).content).toBe(
			'src/a.ts\nsrc/deep/b.ts'
		);
		expect(runTool(doc, 'list_files', { pattern: '*.py' }).content).toBe(
			'No file matches that pattern.'
		);
		expect(runTool(project(), 'list_files', {}).content).toBe('The workspace has no files.');
	});

	it('[TL4] read_file numbers lines and reads a 50,000-line file in pages', () => {
		const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i + 1} ✓`);
		const doc = project({ 'big.txt': lines.join('\n') + '\n' });
		const first = runTool(doc, 'read_file', { path: 'big.txt' });
		expect(first.isError).toBe(false);
		expect(first.content.startsWith('1\tline 1 ✓\n2\tline 2 ✓')).toBe(true);
		expect(first.content).toContain('[Lines 1–2000 of 50000. Read on with offset 2001.]');
		const last = runTool(doc, 'read_file', { path: 'big.txt', offset: 49_999, limit: 10 });
		expect(last.content).toBe(
			'49999\tline 49999 ✓\n50000\tline 50000 ✓\n[Lines 49999–50000 of 50000.]'
		);
		expect(runTool(doc, 'read_file', { path: 'big.txt', offset: 50_001 }).isError).toBe(true);
		expect(runTool(doc, 'read_file', { path: 'nope.txt' })).toEqual({
			content: 'There is no file "nope.txt".',
			isError: true
		});
	});

	it('[TL5] a huge result is cut on a grapheme boundary with a note', () => {
		// One line of family emoji (7 code units each) far beyond the result limit.
		const family = '👨‍👩‍👧';
		const doc = project({
			'emoji.txt': Array.from({ length: 200 }, () => family.repeat(100)).join('\n')
		});
		const outcome = runTool(doc, 'read_file', { path: 'emoji.txt', limit: 5000 });
		expect(outcome.content.length).toBeLessThan(MAX_RESULT_CHARS + 300);
		expect(outcome.content).toMatch(/\[Output cut: \d+ more characters were left out/);
		expect(hasLoneSurrogate(outcome.content)).toBe(false);
		const body = outcome.content.slice(0, outcome.content.indexOf('\n\n[Output cut'));
		expect(body.endsWith(family) || body.endsWith('[line cut]') || body.endsWith('\t')).toBe(true);
	});

	it('[TL6] write_file creates and overwrites, refuses paths outside the workspace', () => {
		const doc = project();
		const created = runTool(doc, 'write_file', { path: './notes/ünï.md', content: 'héllo 🌍\n' });
		expect(created).toMatchObject({ content: 'Created "notes/ünï.md" (1 line).', isError: false });
		expect(created.diff).toContain('+héllo 🌍');
		expect(readFile(doc, 'notes/ünï.md')).toBe('héllo 🌍\n');
		const again = runTool(doc, 'write_file', { path: 'notes/ünï.md', content: 'a\nb\n' });
		expect(again.content).toBe('Wrote "notes/ünï.md" (2 lines).');
		expect(diffCounts(again.diff!)).toEqual({ added: 2, removed: 1 });
		const escape = runTool(doc, 'write_file', { path: '../../etc/passwd', content: 'x' });
		expect(escape).toEqual({
			content: '"../../etc/passwd" points outside the workspace.',
			isError: true
		});
		expect(
			runTool(doc, 'write_file', { path: 'big', content: 'x'.repeat(2 * 1024 * 1024) }).isError
		).toBe(true);
	});

	it('[TL7] edit_file replaces exact text once; missing or ambiguous text is an error', () => {
		const doc = project({ 'a.txt': 'one 🙂 two\ntwo three\n' });
		expect(
			runTool(doc, 'edit_file', { path: 'a.txt', old_string: 'four', new_string: 'x' })
		).toEqual({
			content: 'The text to replace was not found in "a.txt".',
			isError: true
		});
		const ambiguous = runTool(doc, 'edit_file', {
			path: 'a.txt',
			old_string: 'two',
			new_string: '2'
		});
		expect(ambiguous.isError).toBe(true);
		expect(ambiguous.content).toMatch(/more than once/);
		expect(readFile(doc, 'a.txt')).toBe('one 🙂 two\ntwo three\n');
		const once = runTool(doc, 'edit_file', {
			path: 'a.txt',
			old_string: '🙂 two',
			new_string: '$& 😀'
		});
		expect(once).toMatchObject({
			content: 'Edited "a.txt": replaced 1 occurrence.',
			isError: false
		});
		expect(readFile(doc, 'a.txt')).toBe('one $& 😀\ntwo three\n');
		const all = runTool(doc, 'edit_file', {
			path: 'a.txt',
			old_string: 'o',
			new_string: '0',
			replace_all: true
		});
		expect(all.content).toBe('Edited "a.txt": replaced 2 occurrences.');
		expect(readFile(doc, 'a.txt')).toBe('0ne $& 😀\ntw0 three\n');
		expect(
			runTool(doc, 'edit_file', { path: 'b.txt', old_string: 'a', new_string: 'b' }).isError
		).toBe(true);
		expect(
			runTool(doc, 'edit_file', { path: 'a.txt', old_string: '', new_string: 'b' }).isError
		).toBe(true);
	});

	it('[TL8] search_files finds lines by regular expression, optionally in a glob', () => {
		const doc = project({
			'src/a.ts': 'const x = 1;\nfunction hello() {}\n',
			'src/b.md': 'Hello wörld\n',
			'c.ts': 'hello again'
		});
		expect(runTool(doc, 'search_files', { pattern: 'hel+o', case_insensitive: true }).content).toBe(
			'c.ts:1: hello again\nsrc/a.ts:2: function hello() {}\nsrc/b.md:1: Hello wörld'
		);
		expect(runTool(doc, 'search_files', { pattern: 'hello', glob: 'src/**' }).content).toBe(
			'src/a.ts:2: function hello() {}'
		);
		expect(runTool(doc, 'search_files', { pattern: 'zzz' }).content).toBe('No matches.');
		expect(runTool(doc, 'search_files', { pattern: '(' }).isError).toBe(true);
	});

	it('[TL9] search_files refuses catastrophic patterns instead of stalling', () => {
		for (const bad of ['(a+)+$', '(a|aa)*b', '(x*)*', '((a)+)+', '(\\w+\\s?)*$', '(a)\\1']) {
			expect(unsafePattern(bad), bad).toBeDefined();
		}
		for (const good of ['a+b*', '(abc)+', 'foo|bar', '(?:ab)?c+', '[(]+', '\\(a+\\)+', 'x+?y']) {
			expect(unsafePattern(good), good).toBeUndefined();
		}
		const doc = project({ 'a.txt': 'a'.repeat(40) + '!' });
		expect(runTool(doc, 'search_files', { pattern: '(a+)+$' }).isError).toBe(true);
	});

	it('[TL10] delete_file removes a file; a missing one is an error', () => {
		const doc = project({ 'a.txt': 'x\n' });
		const deleted = runTool(doc, 'delete_file', { path: '/a.txt' });
		expect(deleted).toMatchObject({ content: 'Deleted "a.txt".', isError: false });
		expect(readFile(doc, 'a.txt')).toBeUndefined();
		expect(runTool(doc, 'delete_file', { path: 'a.txt' }).isError).toBe(true);
	});

	it('[TL11] update_project_information replaces or appends', () => {
		const doc = project();
		projectInfo(doc).insert(0, 'Goal: ship');
		expect(
			runTool(doc, 'update_project_information', { content: 'Tests: vitest', mode: 'append' })
				.isError
		).toBe(false);
		expect(projectInfo(doc).toString()).toBe('Goal: ship\nTests: vitest');
		runTool(doc, 'update_project_information', { content: 'Nouveau 🎯', mode: 'replace' });
		expect(projectInfo(doc).toString()).toBe('Nouveau 🎯');
		expect(
			runTool(doc, 'update_project_information', { content: 'x', mode: 'merge' }).isError
		).toBe(true);
	});

	it('[TL12] a record summary names the path or pattern and the lines changed', () => {
		expect(toolSummary({ name: 'read_file', input: { path: 'a.txt' } })).toBe('a.txt');
		expect(toolSummary({ name: 'search_files', input: { pattern: 'x+', glob: '*.md' } })).toBe(
			'/x+/ in *.md'
		);
		expect(
			toolSummary({
				name: 'edit_file',
				input: { path: 'a.txt' },
				diff: '@@ -1 +1 @@\n-a\n+b\n+c\n'
			})
		).toBe('a.txt · +2 −1');
		expect(toolSummary({ name: 'list_files', input: undefined })).toBe('all files');
	});
});
