import type { DocKey } from '../storage/types.js';

/**
 * The documents one delete request condemns (the names sent, and the sessions their projects
 * list), purged together in one storage call [HD12]. Each document joins once; it is purged when
 * every document that joined is ready (its appends settled, its queue held) or withdrew after a
 * failure, so the request costs one commit and one scrub of the files however many names it
 * carries. A document must join before the one that found it is ready, which keeps the count
 * from reaching zero early.
 */
export class PurgeBatch {
	readonly #joined = new Set<DocKey>();
	readonly #ready: DocKey[] = [];
	readonly #tasks: Array<Promise<void>> = [];
	#waiting = 0;
	#started = false;
	readonly #committed: Promise<void>;
	#commit!: () => void;

	constructor(purge: (keys: DocKey[]) => Promise<void>) {
		this.#committed = new Promise<void>((resolve) => (this.#commit = resolve)).then(() =>
			this.#ready.length > 0 ? purge(this.#ready) : undefined
		);
		// Rejections reach each document's `ready`; this copy must not count as unhandled.
		this.#committed.catch(() => {});
	}

	/**
	 * Adds the document, running `remove` for it (which calls `ready` or `withdraw` exactly once);
	 * false when it already joined.
	 */
	join(key: DocKey, remove: () => Promise<void>): boolean {
		if (this.#joined.has(key)) return false;
		this.#joined.add(key);
		this.#waiting++;
		this.#tasks.push(remove());
		return true;
	}

	/** The document can be purged: resolves once the whole batch is. */
	ready(key: DocKey): Promise<void> {
		this.#ready.push(key);
		this.#arrived();
		return this.#committed;
	}

	/** The document failed before it was ready: the others go ahead without it. */
	withdraw(): void {
		this.#arrived();
	}

	/** Waits for every document's removal, including those that joined meanwhile; rethrows the first failure. */
	async settled(): Promise<void> {
		let failure: { error: unknown } | undefined;
		for (let i = 0; i < this.#tasks.length; i++) {
			await this.#tasks[i]!.catch((error: unknown) => (failure ??= { error }));
		}
		if (failure) throw failure.error;
	}

	#arrived(): void {
		this.#waiting--;
		if (this.#waiting > 0 || this.#started) return;
		this.#started = true;
		this.#commit();
	}
}
