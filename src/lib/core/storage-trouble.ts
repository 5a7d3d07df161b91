/**
 * Telling the person about trouble saving on this device: once per kind of trouble, in words,
 * since the store retries failed writes and would otherwise repeat itself on every attempt (R14).
 */

const quotaMessage =
	'This device’s storage is full, so new changes are not saved on it. They still reach the server while you are online; free some space on this device to save them here again.';
const otherMessage =
	'Saving on this device failed. Your edits are kept in memory, retried, and still reach the server while you are online.';

/**
 * Whether `error` is (or wraps) a quota error. Browsers raise a DOMException named
 * `QuotaExceededError`; Dexie wraps it (`inner`, bulk `failures`), sometimes under an AbortError.
 */
export function isQuotaExceeded(error: unknown, depth = 0): boolean {
	if (depth > 4 || typeof error !== 'object' || error === null) return false;
	const e = error as { name?: unknown; inner?: unknown; cause?: unknown; failures?: unknown };
	if (e.name === 'QuotaExceededError') return true;
	if (isQuotaExceeded(e.inner, depth + 1) || isQuotaExceeded(e.cause, depth + 1)) return true;
	const failures = Array.isArray(e.failures) ? e.failures.slice(0, 8) : [];
	return failures.some((f) => isQuotaExceeded(f, depth + 1));
}

export class StorageTrouble {
	readonly #told = new Set<'quota' | 'other'>();

	/** The sentence to show for this failure, or undefined when the person was already told. */
	report(error: unknown): string | undefined {
		const kind = isQuotaExceeded(error) ? 'quota' : 'other';
		if (this.#told.has(kind)) return undefined;
		this.#told.add(kind);
		return kind === 'quota' ? quotaMessage : otherMessage;
	}
}
