import { describe, expect, it } from 'vitest';
import { isQuotaExceeded, StorageTrouble } from './storage-trouble.js';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('[LS13] storage trouble is told once, in words', () => {
	it('[LS13] recognises a quota error, bare or wrapped by Dexie', () => {
		expect(isQuotaExceeded(quota())).toBe(true);
		expect(isQuotaExceeded({ name: 'AbortError', inner: quota() })).toBe(true);
		expect(isQuotaExceeded({ name: 'BulkError', failures: [new Error('x'), quota()] })).toBe(true);
		expect(isQuotaExceeded(new Error('disk on fire'))).toBe(false);
		expect(isQuotaExceeded(undefined)).toBe(false);
	});

	it('[LS13] says storage is full once, however often the write is retried', () => {
		const trouble = new StorageTrouble();
		expect(trouble.report(quota())).toMatch(/storage is full/);
		expect(trouble.report(quota())).toBeUndefined();
		expect(trouble.report({ name: 'AbortError', inner: quota() })).toBeUndefined();
		// A different trouble is news.
		expect(trouble.report(new Error('other'))).toMatch(/Saving on this device failed/);
		expect(trouble.report(new Error('other'))).toBeUndefined();
	});
});
