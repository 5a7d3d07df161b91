import type * as Y from 'yjs';
import type { DocKey } from '../storage/types.js';

/** A document the server holds loaded while it works on it (a run writing its answer). */
export interface HeldDoc {
	readonly doc: Y.Doc;
	/**
	 * Applies a change as the server: it is relayed to every device that has the document open
	 * and resolves once it is stored (rejects when storing failed).
	 */
	change(apply: (doc: Y.Doc) => void): Promise<void>;
	release(): void;
}

/** How runs reach documents; the sync registry provides it, tests may pass their own. */
export interface DocAccess {
	/** Loads (if needed) and holds a document; rejects when it was deleted. */
	open(key: DocKey): Promise<HeldDoc>;
}
