import type { DocName } from '../../src/lib/core/doc-names.js';

/**
 * Where a document lives on the server: `<accountId>/<docName>`. The account part comes from the
 * authenticated connection, never from the client, which is what keeps accounts apart.
 */
export type DocKey = `${string}/${DocName}`;

export interface Changes {
	/**
	 * Pass this back as `since` next time: the account's own last change (its largest feed seq), so
	 * another account's writes never move it [HD11]. Only moves forward once the changes it covers
	 * are stored.
	 */
	cursor: number;
	changed: DocName[];
	deleted: DocName[];
}

/** The document's log after an append: what compaction and quotas decide on. */
export interface Appended {
	logLength: number;
	/** Bytes in the log (after the snapshot). */
	logBytes: number;
	/** Bytes of the snapshot; 0 when there is none. */
	snapshotBytes: number;
}

/**
 * Durable storage for Yjs documents. Every method resolves only after its write is on disk, so a
 * caller may report "stored" as soon as `append` resolves.
 */
export interface DocStorage {
	/** The stored updates of a document, snapshot first; empty for a document never written. */
	load(key: DocKey): Promise<Uint8Array[]>;
	/**
	 * Appends one update to the document's log and advances the account's change feed. With
	 * `scrub` (the update records a deletion) the document is also marked, in the same commit, as
	 * owing a scrub: `pendingScrubs` lists it until `compact(key, { scrub: true })`, so a crash
	 * between the two is finished at the next start.
	 */
	append(key: DocKey, update: Uint8Array, options?: { scrub?: boolean }): Promise<Appended>;
	/**
	 * Replaces the snapshot and the log it covers by one re-encoded snapshot. With `scrub` the
	 * replaced bytes also leave the files (zeroed, WAL checkpointed) and the scrub mark is cleared.
	 * Resolves with how many bytes the document's stored size shrank by, so a caller keeping the
	 * account's total can adjust it instead of asking `accountBytes` again.
	 */
	compact(key: DocKey, options?: { scrub?: boolean }): Promise<number>;
	/** Documents marked by `append(..., { scrub: true })` whose scrub has not finished. */
	pendingScrubs(): Promise<DocKey[]>;
	/** Removes every byte of the document and leaves a tombstone (ids only). Idempotent. */
	purge(key: DocKey): Promise<void>;
	/** `purge` for several documents in one commit (and one scrub of the files) [HD12]. */
	purgeMany(keys: readonly DocKey[]): Promise<void>;
	isDeleted(key: DocKey): Promise<boolean>;
	/** Bytes the account's documents take (snapshots and logs) [HD5]. */
	accountBytes(accountId: string): Promise<number>;
	/** Which of this account's documents changed or were deleted after `since`. */
	changesSince(accountId: string, since: number): Promise<Changes>;
	/** Waits for the writes already requested, then lets go of the files. */
	close(): Promise<void>;
}

export function docKey(accountId: string, docName: DocName): DocKey {
	if (accountId.length === 0 || accountId.includes('/')) {
		throw new Error('an account id must be non-empty and contain no slash');
	}
	return `${accountId}/${docName}`;
}

/** Splits a key at its last slash: document names never contain one. */
export function splitDocKey(key: DocKey): { accountId: string; docName: DocName } {
	const slash = key.lastIndexOf('/');
	return { accountId: key.slice(0, slash), docName: key.slice(slash + 1) as DocName };
}
