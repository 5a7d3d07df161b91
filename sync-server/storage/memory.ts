import { compactUpdates } from '../../src/lib/core/compaction.js';
import { splitDocKey, type Changes, type DocKey, type DocStorage } from './types.js';
import type { DocName } from '../../src/lib/core/doc-names.js';
import { changeSeqFloor } from './change-seq.js';

/** DocStorage in memory, for tests: the same contract as SQLite, nothing durable. */
export function createMemoryStorage(): DocStorage {
	const docs = new Map<DocKey, { snapshot?: Uint8Array; log: Uint8Array[] }>();
	const tombstones = new Set<DocKey>();
	const scrubs = new Set<DocKey>();
	// Latest feed position per document, like the doc_changes table.
	const feed = new Map<DocKey, { seq: number; deleted: boolean }>();
	let seq = 0;

	const touch = (key: DocKey, deleted: boolean) => {
		seq = Math.max(seq + 1, changeSeqFloor());
		feed.set(key, { seq, deleted });
	};

	const purge = (key: DocKey) => {
		docs.delete(key);
		scrubs.delete(key);
		tombstones.add(key);
		touch(key, true);
	};

	return {
		async load(key) {
			const doc = docs.get(key);
			if (!doc) return [];
			return doc.snapshot ? [doc.snapshot, ...doc.log] : [...doc.log];
		},
		async append(key, update, options) {
			if (tombstones.has(key)) throw new Error('document is deleted');
			if (options?.scrub) scrubs.add(key);
			const doc = docs.get(key) ?? { log: [] };
			docs.set(key, doc);
			doc.log.push(update.slice());
			touch(key, false);
			return {
				logLength: doc.log.length,
				logBytes: doc.log.reduce((n, u) => n + u.byteLength, 0),
				snapshotBytes: doc.snapshot?.byteLength ?? 0
			};
		},
		async compact(key, options) {
			if (options?.scrub) scrubs.delete(key);
			const doc = docs.get(key);
			if (!doc || doc.log.length === 0) return 0;
			const parts = [...(doc.snapshot ? [doc.snapshot] : []), ...doc.log];
			doc.snapshot = compactUpdates(parts, { onBadUpdate: () => {} });
			doc.log = [];
			return parts.reduce((n, part) => n + part.byteLength, 0) - doc.snapshot.byteLength;
		},
		async pendingScrubs() {
			return [...scrubs];
		},
		async purge(key) {
			purge(key);
		},
		async purgeMany(keys) {
			for (const key of keys) purge(key);
		},
		async accountBytes(accountId) {
			let bytes = 0;
			for (const [key, doc] of docs) {
				if (splitDocKey(key).accountId !== accountId) continue;
				bytes += doc.snapshot?.byteLength ?? 0;
				for (const update of doc.log) bytes += update.byteLength;
			}
			return bytes;
		},
		async isDeleted(key) {
			return tombstones.has(key);
		},
		async changesSince(accountId, since): Promise<Changes> {
			const own = [...feed].filter(([key]) => splitDocKey(key).accountId === accountId);
			// The account's own last seq: other accounts' writes never move it [HD11].
			const cursor = own.reduce((max, [, entry]) => Math.max(max, entry.seq), 0);
			const from = since > cursor ? 0 : since;
			const rows = own.filter(([, entry]) => entry.seq > from).sort((a, b) => a[1].seq - b[1].seq);
			const pick = (deleted: boolean): DocName[] =>
				rows.filter(([, e]) => e.deleted === deleted).map(([key]) => splitDocKey(key).docName);
			return { cursor, changed: pick(false), deleted: pick(true) };
		},
		async close() {
			docs.clear();
		}
	};
}
