import * as Y from 'yjs';

/**
 * True when applying `update` would change nothing: no structs the document lacks and no
 * deletion it has not applied. A reconnecting client's sync step 2 always carries the whole
 * delete set, so without this check every reconnect would grow the log. When unsure, false.
 */
export function isRedundant(doc: Y.Doc, update: Uint8Array): boolean {
	const diff = Y.diffUpdate(update, Y.encodeStateVector(doc));
	const { structs, ds } = Y.decodeUpdate(diff);
	if (structs.length > 0) return false;
	if (ds.clients.size === 0) return true;
	const have = Y.createDeleteSetFromStructStore(doc.store);
	for (const [client, wanted] of ds.clients) {
		const ranges = have.clients.get(client) ?? [];
		for (const w of wanted) {
			const covered = ranges.some((r) => r.clock <= w.clock && r.clock + r.len >= w.clock + w.len);
			if (!covered) return false;
		}
	}
	return true;
}
