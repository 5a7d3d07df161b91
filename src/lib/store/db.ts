import Dexie, { type EntityTable } from 'dexie';
import type { MessageRow, ProjectRow, SessionRow } from '../core/rows.js';

/** One stored Yjs update of a document; the log is compacted now and then. */
export interface StoredUpdate {
	id?: number;
	docName: string;
	data: Uint8Array;
}

/** A document this device deleted or saw deleted: its updates are gone and never stored again. */
export interface Tombstone {
	docName: string;
	deletedAt: number;
	/** 1 once the server confirmed it purged the document too (IndexedDB cannot index booleans). */
	confirmed: 0 | 1;
}

/**
 * A document with local changes the server may not have: catch-up syncs it even when the server
 * does not list it as changed. `version` tells a stale "synced" apart from a newer change.
 */
export interface DirtyDoc {
	docName: string;
	version: number;
}

/**
 * Message rows the search index has not taken in yet: written with the rows in the same
 * transaction, consumed by the index (`search-index.ts`), so no change is missed across reloads,
 * tabs or crashes. From `fromSeq` on every row is new (or gone); `ids` changed in place.
 */
export interface SearchChange {
	id?: number;
	sessionId: string;
	fromSeq?: number;
	ids: string[];
}

/** Small named values: the sync cursor, for example. */
export interface MetaEntry {
	key: string;
	value: unknown;
}

/**
 * The local database of one account on this device. Rows (projects, sessions, messages) are a
 * projection of the documents whose updates live in `updates`; both are written in one
 * transaction by the doc store, never separately.
 */
export class TetherDb extends Dexie {
	projects!: EntityTable<ProjectRow, 'id'>;
	sessions!: EntityTable<SessionRow, 'id'>;
	messages!: EntityTable<MessageRow, 'id'>;
	updates!: EntityTable<StoredUpdate, 'id'>;
	tombstones!: EntityTable<Tombstone, 'docName'>;
	meta!: EntityTable<MetaEntry, 'key'>;
	dirty!: EntityTable<DirtyDoc, 'docName'>;
	searchQueue!: EntityTable<SearchChange, 'id'>;

	constructor(name: string) {
		super(name);
		this.version(1).stores({
			projects: 'id',
			sessions: 'id, projectId, lastActivity',
			messages: 'id, sessionId, [sessionId+seq]',
			updates: '++id, docName',
			tombstones: 'docName, confirmed',
			meta: 'key',
			dirty: 'docName'
		});
		// Version 2: the search index's queue of changed message rows.
		this.version(2).stores({ searchQueue: '++id' });
	}
}

export const allTables = (db: TetherDb) => [
	db.projects,
	db.sessions,
	db.messages,
	db.updates,
	db.tombstones,
	db.meta,
	db.dirty,
	db.searchQueue
];
