import { describe, expect, it } from 'vitest';
import { describeStorageUse, formatBytes } from './storage-use.js';

describe('[LS14] storage use in words', () => {
	it('[LS14] formats sizes with binary units', () => {
		expect(formatBytes(0)).toBe('0 bytes');
		expect(formatBytes(1536)).toBe('1.5 KB');
		expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
		expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GB');
		expect(formatBytes(Number.NaN)).toBe('unknown');
	});

	it('[LS14] says what is used, of how much, and whether the browser may clear it', () => {
		expect(describeStorageUse({ usage: 1536, quota: 1024 * 1024, persisted: true })).toEqual([
			'Tether uses 1.5 KB of 1 MB available on this device (0 %).',
			'The browser keeps it until you remove it.'
		]);
		expect(describeStorageUse({ usage: 2048, persisted: false })).toEqual([
			'Tether uses 2 KB on this device.',
			'The browser may clear it when space runs low; the server keeps what has synced.'
		]);
		expect(describeStorageUse({})).toEqual([
			'This browser does not say how much storage Tether uses.'
		]);
	});
});
