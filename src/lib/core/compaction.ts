import * as Y from 'yjs';

/**
 * Folds a document's stored update log into one update: load everything into a gc-enabled doc
 * and re-encode, so deleted content is dropped (Y.mergeUpdates would keep it).
 */
export function compactUpdates(updates: Uint8Array[]): Uint8Array {
	const doc = new Y.Doc({ gc: true });
	doc.transact(() => {
		for (const update of updates) Y.applyUpdate(doc, update);
	});
	const compacted = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return compacted;
}
