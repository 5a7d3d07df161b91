import type * as Y from 'yjs';
import { sessionMeta } from '../core/shapes.js';

/** A session's own settings (its model), live from its document. */
export class SessionSettings {
	/** The model the person chose for this session; undefined: the default. */
	model = $state<string | undefined>();
	readonly #meta: Y.Map<unknown>;
	readonly #observer: () => void;

	constructor(doc: Y.Doc) {
		this.#meta = sessionMeta(doc);
		this.#observer = () => {
			const model = this.#meta.get('model');
			this.model = typeof model === 'string' ? model : undefined;
		};
		this.#observer();
		this.#meta.observe(this.#observer);
	}

	setModel(model: string): void {
		if (this.#meta.get('model') !== model) this.#meta.set('model', model);
	}

	destroy(): void {
		this.#meta.unobserve(this.#observer);
	}
}
