import * as Y from 'yjs';
import type { DocKey } from '../../sync-server/storage/types.js';
import type { DocAccess, HeldDoc } from '../../sync-server/runs/docs.js';

/**
 * Documents in memory, for tests of runs: `changes` counts stored changes, `held` the documents
 * held now, and a document in `failing` fails to store its changes (as one deleted meanwhile, or
 * a disk that refuses writes); `refused` counts those.
 */
export class MemoryDocs implements DocAccess {
	readonly docs = new Map<DocKey, Y.Doc>();
	readonly failing = new Set<DocKey>();
	changes = 0;
	refused = 0;
	held = 0;

	doc(key: DocKey): Y.Doc {
		let doc = this.docs.get(key);
		if (!doc) this.docs.set(key, (doc = new Y.Doc()));
		return doc;
	}

	async open(key: DocKey): Promise<HeldDoc> {
		const doc = this.doc(key);
		this.held++;
		return {
			doc,
			change: async (apply) => {
				if (this.failing.has(key)) {
					this.refused++;
					throw new Error('deleted');
				}
				doc.transact(() => apply(doc), 'server');
				this.changes++;
			},
			release: () => void this.held--
		};
	}
}
