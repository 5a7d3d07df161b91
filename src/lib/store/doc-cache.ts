import * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';

/** How a cached document is kept on the device: loaded once, saved as it changes. */
export interface DocBinding {
	/** Applies what is stored to the (empty) document; rejects when the document was deleted. */
	load(): Promise<void>;
	/** Changes not yet written: the document must not be dropped before they are. */
	readonly unsaved: boolean;
	destroy(): void;
}

interface Entry {
	doc: Y.Doc;
	binding: DocBinding;
	refs: number;
	ready: Promise<void>;
	loaded: boolean;
}

/**
 * The open documents of this tab, each loaded once and shared by every view that holds it. A
 * document stays while held, and goes once released and saved.
 */
export class DocCache {
	readonly #entries = new Map<DocName, Entry>();
	readonly #bind: (name: DocName, doc: Y.Doc) => DocBinding;
	/** Resolves once every change so far is saved. */
	readonly #saved: () => Promise<void>;

	constructor(bind: (name: DocName, doc: Y.Doc) => DocBinding, saved: () => Promise<void>) {
		this.#bind = bind;
		this.#saved = saved;
	}

	/** Opens (loading it once) and holds a document until `release`. */
	async open(name: DocName): Promise<Y.Doc> {
		let entry = this.#entries.get(name);
		if (!entry) {
			const doc = new Y.Doc({ gc: true });
			const binding = this.#bind(name, doc);
			const created: Entry = { doc, binding, refs: 0, ready: Promise.resolve(), loaded: false };
			created.ready = binding.load().then(
				() => {
					created.loaded = true;
				},
				(error: unknown) => {
					if (this.#entries.get(name) === created) this.#entries.delete(name);
					binding.destroy();
					throw error;
				}
			);
			this.#entries.set(name, created);
			entry = created;
		}
		entry.refs++;
		try {
			await entry.ready;
		} catch (error) {
			entry.refs--;
			throw error;
		}
		return entry.doc;
	}

	/**
	 * Creates and holds a document that nobody has stored yet (its id was just made), synchronously:
	 * there is nothing to load, so a view can show it in the same frame.
	 */
	create(name: DocName): Y.Doc {
		if (this.#entries.has(name)) throw new Error(`${name} is already open`);
		const doc = new Y.Doc({ gc: true });
		const binding = this.#bind(name, doc);
		this.#entries.set(name, { doc, binding, refs: 1, ready: Promise.resolve(), loaded: true });
		return doc;
	}

	/** A loaded document, held once more, or undefined when it would have to be loaded first. */
	hold(name: DocName): Y.Doc | undefined {
		const entry = this.#entries.get(name);
		if (!entry?.loaded) return undefined;
		entry.refs++;
		return entry.doc;
	}

	/** The document if it is open and loaded, without holding it. */
	peek(name: DocName): Y.Doc | undefined {
		const entry = this.#entries.get(name);
		return entry?.loaded ? entry.doc : undefined;
	}

	release(name: DocName): void {
		const entry = this.#entries.get(name);
		if (!entry) return;
		entry.refs--;
		if (entry.refs <= 0) void this.#closeWhenSaved(name, entry);
	}

	/** Forgets a document at once (it was purged): nothing of it is saved any more. */
	drop(name: DocName): void {
		const entry = this.#entries.get(name);
		if (!entry) return;
		this.#entries.delete(name);
		entry.binding.destroy();
	}

	destroy(): void {
		for (const entry of this.#entries.values()) {
			entry.binding.destroy();
			entry.doc.destroy();
		}
		this.#entries.clear();
	}

	/** Unsaved updates are written before a document goes away; a re-opened one stays. */
	async #closeWhenSaved(name: DocName, entry: Entry): Promise<void> {
		await this.#saved();
		if (entry.refs > 0 || entry.binding.unsaved || this.#entries.get(name) !== entry) return;
		this.#entries.delete(name);
		entry.binding.destroy();
		entry.doc.destroy();
	}
}
