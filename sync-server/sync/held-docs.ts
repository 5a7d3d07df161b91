import type { DocAccess } from '../runs/docs.js';
import type { DocRegistry } from './registry.js';
import type { Peer } from './shared-doc.js';

/**
 * Documents for the server's own work (runs): joined like a connection that never receives, so
 * a document stays loaded while it is held, and changed through the registry, so every change is
 * relayed to the devices that have it open and stored like theirs.
 */
export function heldDocs(registry: DocRegistry): DocAccess {
	return {
		async open(key) {
			const peer: Peer = { send: () => {}, close: () => {} };
			const shared = await registry.join(key, peer);
			let released = false;
			return {
				get doc() {
					return shared.doc;
				},
				change: (apply) => registry.change(shared, peer, apply),
				release: () => {
					if (released) return;
					released = true;
					registry.leave(shared, peer);
				}
			};
		}
	};
}
