import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipFiles, zipName } from './workspace-zip.js';

describe('Download all [FS5]', () => {
	it('[FS5] the zip holds every file at its path, with its exact text', () => {
		const files = [
			['README.md', '# Hello 👩‍💻\n'],
			['src/lib/main.ts', 'export const x = 1;\n'],
			['notes/מסמך.txt', 'שלום'],
			['empty.txt', '']
		] as const;
		const unpacked = unzipSync(zipFiles(files));
		expect(Object.keys(unpacked).sort()).toEqual(files.map(([path]) => path).sort());
		for (const [path, text] of files) expect(strFromU8(unpacked[path]!)).toBe(text);
	});

	it('[FS5] the zip is named after the project, with nothing a file system refuses', () => {
		expect(zipName('My project')).toBe('My project.zip');
		expect(zipName('a/b:c*?"<>|\\d')).toBe('a-b-c-d.zip');
		expect(zipName('..hidden')).toBe('hidden.zip');
		expect(zipName('')).toBe('workspace.zip');
		expect(zipName(undefined)).toBe('workspace.zip');
	});
});
