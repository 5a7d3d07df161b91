import type * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';
import { store } from './app.svelte.js';

/** Holds a document open while a view shows it. Create in an $effect; destroy in its cleanup. */
export class HeldDoc {
	doc = $state.raw<Y.Doc | undefined>();
	/** The document could not be opened: it was deleted, or the name is not valid. */
	failed = $state(false);
	#released = false;
	#name: DocName | undefined;

	constructor(name: () => DocName) {
		try {
			this.#name = name();
		} catch {
			this.failed = true;
			return;
		}
		const held = this.#name;
		store()
			.open(held)
			.then(
				(doc) => {
					if (this.#released) store().release(held);
					else this.doc = doc;
				},
				() => (this.failed = true)
			);
	}

	destroy(): void {
		this.#released = true;
		if (this.doc && this.#name) store().release(this.#name);
		this.doc = undefined;
	}
}
