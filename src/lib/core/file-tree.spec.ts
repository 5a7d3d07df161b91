import { describe, expect, it } from 'vitest';
import { buildTree, folderOf, treeRows } from './file-tree.js';

const names = (rows: { name: string; depth: number }[]) =>
	rows.map((row) => `${'  '.repeat(row.depth)}${row.name}`);

describe('the Files tree [FS3]', () => {
	it('[FS3] nests files under their folders, folders first, names in natural order', () => {
		const tree = buildTree([
			'z.md',
			'src/b.ts',
			'src/lib/x10.ts',
			'src/lib/x2.ts',
			'a.md',
			'src/a.ts'
		]);
		expect(names(treeRows(tree, new Set()))).toEqual([
			'src',
			'  lib',
			'    x2.ts',
			'    x10.ts',
			'  a.ts',
			'  b.ts',
			'a.md',
			'z.md'
		]);
		const src = tree[0];
		expect(src).toMatchObject({ kind: 'folder', name: 'src', path: 'src' });
	});

	it('[FS3] a collapsed folder hides what it holds, not its siblings', () => {
		const tree = buildTree(['docs/a/one.md', 'docs/two.md', 'top.md']);
		expect(names(treeRows(tree, new Set(['docs/a'])))).toEqual([
			'docs',
			'  a',
			'  two.md',
			'top.md'
		]);
		expect(names(treeRows(tree, new Set(['docs'])))).toEqual(['docs', 'top.md']);
	});

	it('[FS3] a file and a folder of the same name both show; Unicode names stay whole', () => {
		const rows = treeRows(buildTree(['notes', 'notes/😀 מסמך.md']), new Set());
		expect(rows.map((r) => `${r.kind}:${r.path}`)).toEqual([
			'folder:notes',
			'file:notes/😀 מסמך.md',
			'file:notes'
		]);
		expect(buildTree([])).toEqual([]);
	});

	it('[FS3] the folder of a path, for a new file next to the open one', () => {
		expect(folderOf('a/b/c.txt')).toBe('a/b/');
		expect(folderOf('c.txt')).toBe('');
	});
});
