import * as Y from 'yjs';
import { parseDocName, type DocName } from '../core/doc-names.js';
import * as projection from '../core/projection.js';
import { workspace } from '../core/files.js';
import * as shapes from '../core/shapes.js';
import { rowsForDoc, type RowWrite } from './rows-for-doc.js';

/** What one batch of a document's changes means for the rows and the stored history. */
export interface Projection {
	rows: RowWrite;
	/**
	 * The batch recorded a deletion (a session in a project, a project in the account, a file of
	 * a project's workspace): the document's stored history still holds what was deleted and
	 * must be compacted now.
	 */
	deletes: boolean;
	/** Ids whose deletion this device recorded in the batch; the rest came from the server. */
	deletedHere: ReadonlySet<string>;
}

/**
 * Follows one open document and turns what changed since the last batch into row writes, computed
 * synchronously from the same state as the updates they are stored with ([LS2]).
 */
export class RowProjector {
	readonly #name: DocName;
	readonly #doc: Y.Doc;
	#changes = projection.emptyMessageChanges();
	#deletes = false;
	/** Ids whose deletion this device recorded in the current batch. */
	#deletedHere = new Set<string>();
	readonly #off: () => void;

	/**
	 * `skip` tells transactions whose changes are already reflected in stored rows (loads);
	 * `isRemote` those that came from the server (a deletion made on another device).
	 */
	constructor(
		name: DocName,
		doc: Y.Doc,
		skip: (origin: unknown) => boolean,
		isRemote: (origin: unknown) => boolean = () => false
	) {
		this.#name = name;
		this.#doc = doc;
		const kind = parseDocName(name)?.kind;
		if (kind === 'session') {
			const list = shapes.messages(doc);
			const onDeep = (events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction) => {
				if (!skip(tr.origin)) projection.collectMessageChanges(this.#changes, events, list);
			};
			list.observeDeep(onDeep);
			this.#off = () => list.unobserveDeep(onDeep);
			return;
		}
		const deleted = kind === 'account' ? shapes.deletedProjects(doc) : shapes.deletedSessions(doc);
		const onDeleted = (event: Y.YMapEvent<number>) => {
			const { origin } = event.transaction;
			if (skip(origin)) return;
			for (const [id, change] of event.changes.keys) {
				if (change.action !== 'add') continue;
				this.#deletes = true;
				if (!isRemote(origin)) this.#deletedHere.add(id);
			}
		};
		deleted.observe(onDeleted);
		if (kind !== 'project') {
			this.#off = () => deleted.unobserve(onDeleted);
			return;
		}
		// A file deleted or renamed away: its text leaves the stored history too ([FS6]).
		const files = workspace(doc);
		const onFiles = (event: Y.YMapEvent<Y.Text>) => {
			if (skip(event.transaction.origin)) return;
			for (const change of event.changes.keys.values()) {
				if (change.action === 'delete') this.#deletes = true;
			}
		};
		files.observe(onFiles);
		this.#off = () => {
			deleted.unobserve(onDeleted);
			files.unobserve(onFiles);
		};
	}

	/** The rows the document's current state implies for what changed since the last call. */
	take(): Projection {
		const changes = this.#changes;
		const deletes = this.#deletes;
		const deletedHere = this.#deletedHere;
		this.#changes = projection.emptyMessageChanges();
		this.#deletes = false;
		this.#deletedHere = new Set();
		return { rows: rowsForDoc(this.#name, this.#doc, changes, deletedHere), deletes, deletedHere };
	}

	/** The batch was not stored: the next one rewrites every row and still compacts. */
	retry({ deletes, deletedHere }: Pick<Projection, 'deletes' | 'deletedHere'>): void {
		this.#changes.fromSeq = 0;
		this.#deletes ||= deletes;
		for (const id of deletedHere) this.#deletedHere.add(id);
	}

	destroy(): void {
		this.#off();
	}
}
