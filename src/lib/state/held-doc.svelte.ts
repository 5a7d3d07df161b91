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

	/**
	 * `after`: when the document is not open yet, wait for this before loading it (a session's
	 * stored rows paint first, [PW17]); one already open is held at once all the same.
	 */
	constructor(name: () => DocName, options: { after?: Promise<unknown> } = {}) {
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
		const opened = options.after
			? options.after.then(() => {
					if (this.#released) throw new Released();
					return store().open(held);
				})
			: store().open(held);
		opened.then(
			(doc) => {
				if (this.#released) {
					store().release(held);
					return;
				}
				this.doc = doc;
				sync().hold(held, doc);
			},
			(error: unknown) => {
				if (!(error instanceof Released)) this.failed = true;
			}
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

/** Let go before the wait for `after` was over: nothing was opened, nothing failed. */
class Released extends Error {}
