import type * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';
import { app, store, sync } from './app.svelte.js';

/** Holds a document open while a view shows it. Create in an $effect; destroy in its cleanup. */
export class HeldDoc {
	doc = $state.raw<Y.Doc | undefined>();
	/** The document could not be opened: it was deleted, or the name is not valid. */
	failed = $state(false);
	#released = false;
	#name: DocName | undefined;
	#offPurged: (() => void) | undefined;

	constructor(name: () => DocName) {
		try {
			this.#name = name();
		} catch {
			this.failed = true;
			return;
		}
		const held = this.#name;
		// Deleted elsewhere while shown: the view says so instead of showing a stale copy.
		this.#offPurged = store().onPurged((purged) => {
			if (purged !== held) return;
			this.failed = true;
			this.doc = undefined;
		});
		// Already open (a session just created, a project shown elsewhere): no wait, no flash.
		const open = store().hold(held);
		if (open) {
			this.doc = open;
			sync().hold(held, open);
			return;
		}
		store()
			.open(held)
			.then(
				(doc) => {
					if (this.#released) {
						store().release(held);
						return;
					}
					this.doc = doc;
					sync().hold(held, doc);
				},
				() => (this.failed = true)
			);
	}

	destroy(): void {
		this.#released = true;
		this.#offPurged?.();
		// After sign-out the store and sync are already gone, with everything they held.
		if (this.doc && this.#name) {
			app.sync?.release(this.#name);
			app.store?.release(this.#name);
		}
		this.doc = undefined;
	}
}
