import * as Y from 'yjs';

/**
 * Folds a snapshot and its log into one update. The updates are applied to a garbage-collecting
 * Y.Doc and re-encoded, so deleted content is dropped for good; Y.mergeUpdates would keep it.
 * An update that cannot be applied is skipped (and reported) rather than losing the document.
 */
export function foldUpdates(
	updates: Uint8Array[],
	onBadUpdate?: (error: unknown) => void
): Uint8Array {
	const doc = new Y.Doc({ gc: true });
	try {
		for (const update of updates) {
			try {
				Y.applyUpdate(doc, update);
			} catch (error) {
				onBadUpdate?.(error);
			}
		}
		return Y.encodeStateAsUpdate(doc);
	} finally {
		doc.destroy();
	}
}
