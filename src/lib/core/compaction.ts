import * as Y from 'yjs';

export interface ReplayOptions {
	/**
	 * Called for a stored update that cannot be applied; it is then skipped, so one damaged
	 * update never costs the rest of the document. Without it the error propagates.
	 */
	onBadUpdate?: (error: unknown, index: number) => void;
	/** The doc's guid; given, Yjs does not generate one (a few dozen random draws per doc). */
	guid?: string;
}

/**
 * Replays a document's stored updates (snapshot first, then the log) into a garbage-collecting
 * Y.Doc: deleted content is dropped as each transaction ends (a deleted Y.Text run keeps only its
 * length, a deleted map value or nested type becomes a GC struct), which is what compaction and
 * deletion purges rely on. The caller owns the doc and destroys it.
 */
export function replayUpdates(updates: Iterable<Uint8Array>, options: ReplayOptions = {}): Y.Doc {
	const doc = new Y.Doc({ gc: true, guid: options.guid ?? 'replay' });
	let index = 0;
	for (const update of updates) {
		try {
			Y.applyUpdate(doc, update);
		} catch (error) {
			if (!options.onBadUpdate) {
				doc.destroy();
				throw error;
			}
			options.onBadUpdate(error, index);
		}
		index++;
	}
	return doc;
}

/**
 * Folds a document's stored updates into one: replay into a gc-enabled doc and re-encode, so
 * deleted content is gone for good (Y.mergeUpdates would keep it). Content is unchanged.
 */
export function compactUpdates(
	updates: Iterable<Uint8Array>,
	options: ReplayOptions = {}
): Uint8Array {
	const doc = replayUpdates(updates, options);
	try {
		return Y.encodeStateAsUpdate(doc);
	} finally {
		doc.destroy();
	}
}
