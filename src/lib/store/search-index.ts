import MiniSearch, { type Options } from 'minisearch';
import type { MessageRow, SessionRow } from '../core/rows.js';
import {
	indexedText,
	queryTerms,
	snippet,
	termPattern,
	highlight,
	type SnippetPart
} from '../core/search.js';
import type { SearchChange, TetherDb } from './db.js';

/*
 * Full-text search over every session's messages, on this device, offline. A MiniSearch index of
 * the message rows is kept in the account's database (`meta`, key `search.index`) and brought up
 * to date from the queue of changed rows the doc store writes with the rows themselves
 * (`searchQueue`): a reload reads the saved index, not every message, and only what changed since
 * is read again. Whichever tab takes the queue first saves the index; a `generation` number tells
 * a tab that another one saved meanwhile, so it reloads instead of overwriting. Titles are few:
 * they are matched straight from the session rows.
 */

const metaKey = 'search.index';
const formatVersion = 1;

interface IndexedMessage {
	id: string;
	sessionId: string;
	text: string;
}

interface SavedIndex {
	version: number;
	generation: number;
	index: string;
	/** Which indexed message ids belong to which session (to drop a session's or stale rows). */
	sessions: Record<string, string[]>;
}

const options: Options<IndexedMessage> = {
	fields: ['text'],
	storeFields: ['sessionId'],
	// Vacuuming runs before each save instead, so no discarded words are saved.
	autoVacuum: false,
	// The text is read back from the rows for snippets; the index keeps only terms.
	extractField: (doc, field) =>
		field === 'text' ? indexedText(doc.text) : doc[field as keyof IndexedMessage]
};

export interface SearchHit {
	messageId: string;
	parts: SnippetPart[];
}

export interface SearchGroup {
	session: SessionRow;
	/** The title, highlighted where it matches. */
	title: SnippetPart[];
	hits: SearchHit[];
}

export class SearchIndex {
	readonly #db: TetherDb;
	#mini: MiniSearch<IndexedMessage>;
	#sessions: Map<string, Set<string>>;
	#generation: number;
	#running: Promise<void> = Promise.resolve();

	private constructor(db: TetherDb, saved: SavedIndex | undefined) {
		this.#db = db;
		this.#mini = saved ? MiniSearch.loadJSON(saved.index, options) : new MiniSearch(options);
		this.#sessions = new Map(
			Object.entries(saved?.sessions ?? {}).map(([k, v]) => [k, new Set(v)])
		);
		this.#generation = saved?.generation ?? 0;
	}

	static async open(db: TetherDb): Promise<SearchIndex> {
		const index = new SearchIndex(db, await load(db));
		if (index.#generation === 0) await index.#queueEverything();
		return index;
	}

	/** Takes in every queued change (one run at a time) and saves the index. */
	catchUp(): Promise<void> {
		this.#running = this.#running
			.then(() => this.#catchUp())
			.catch((error: unknown) => {
				console.error('search index', error);
			});
		return this.#running;
	}

	get size(): number {
		return this.#mini.documentCount;
	}

	/** Results grouped by session, best first; message snippets read back from the rows. */
	async search(query: string, limit = 60): Promise<SearchGroup[]> {
		const words = queryTerms(query);
		if (words.length === 0) return [];
		const results = this.#mini
			.search(query, {
				prefix: true,
				fuzzy: (term) => (term.length > 4 ? 0.15 : 0),
				combineWith: 'AND'
			})
			.slice(0, limit);
		const rows = await this.#db.messages.bulkGet(results.map((r) => r.id as string));
		const sessionRows = await this.#db.sessions.toArray();
		const byId = new Map(sessionRows.map((s) => [s.id, s]));
		const titlePattern = termPattern(words);
		const groups = new Map<string, SearchGroup>();
		const groupOf = (session: SessionRow) => {
			let group = groups.get(session.id);
			if (!group) {
				group = { session, title: highlight(session.title, titlePattern), hits: [] };
				groups.set(session.id, group);
			}
			return group;
		};
		// Titles holding every word come first.
		for (const session of sessionRows) {
			const title = session.title.toLowerCase();
			if (words.every((w) => title.includes(w))) groupOf(session);
		}
		results.forEach((result, i) => {
			const row: MessageRow | undefined = rows[i];
			const session = row && byId.get(row.sessionId);
			if (!row || !session) return;
			groupOf(session).hits.push({ messageId: row.id, parts: snippet(row.text, result.terms) });
		});
		return [...groups.values()];
	}

	async #queueEverything(): Promise<void> {
		const sessionIds = (await this.#db.sessions.toCollection().primaryKeys()) as string[];
		await this.#db.searchQueue.bulkAdd(
			sessionIds.map((sessionId) => ({ sessionId, fromSeq: 0, ids: [] }))
		);
	}

	async #catchUp(): Promise<void> {
		for (;;) {
			const changes = await this.#db.searchQueue.limit(2000).toArray();
			if (changes.length === 0) return;
			await this.#apply(changes);
			const saved = await this.#save(changes.map((c) => c.id as number));
			if (!saved) {
				// Another tab saved first: start again from what it saved.
				const fresh = new SearchIndex(this.#db, await load(this.#db));
				this.#mini = fresh.#mini;
				this.#sessions = fresh.#sessions;
				this.#generation = fresh.#generation;
			}
		}
	}

	async #apply(changes: SearchChange[]): Promise<void> {
		const bySession = new Map<string, { fromSeq: number | undefined; ids: Set<string> }>();
		for (const change of changes) {
			const entry = bySession.get(change.sessionId) ?? {
				fromSeq: undefined,
				ids: new Set<string>()
			};
			if (change.fromSeq !== undefined)
				entry.fromSeq = Math.min(entry.fromSeq ?? Infinity, change.fromSeq);
			for (const id of change.ids) entry.ids.add(id);
			bySession.set(change.sessionId, entry);
		}
		const db = this.#db;
		for (const [sessionId, change] of bySession) {
			const indexed = this.#sessions.get(sessionId) ?? new Set<string>();
			let rows: MessageRow[] = [];
			if (change.fromSeq !== undefined) {
				// Rows from fromSeq on were rewritten: drop indexed ids that are no longer rows.
				const current = new Set(
					(await db.messages.where('sessionId').equals(sessionId).primaryKeys()) as string[]
				);
				for (const id of indexed) {
					if (!current.has(id)) {
						this.#mini.discard(id);
						indexed.delete(id);
					}
				}
				rows = await db.messages
					.where('[sessionId+seq]')
					.between([sessionId, change.fromSeq], [sessionId, Infinity])
					.toArray();
			}
			const seen = new Set(rows.map((r) => r.id));
			const edited = [...change.ids].filter((id) => !seen.has(id));
			for (const row of await db.messages.bulkGet(edited)) if (row) rows.push(row);
			for (const row of rows) {
				const doc = { id: row.id, sessionId, text: row.text };
				if (this.#mini.has(row.id)) this.#mini.replace(doc);
				else this.#mini.add(doc);
				indexed.add(row.id);
			}
			if (indexed.size > 0) this.#sessions.set(sessionId, indexed);
			else this.#sessions.delete(sessionId);
		}
	}

	/** Saves the index and drops the changes it took in, unless another tab saved meanwhile. */
	async #save(consumed: number[]): Promise<boolean> {
		// Discarded messages' terms stay in the index until vacuumed: a deleted session's words
		// must not be saved.
		if (this.#mini.dirtCount > 0) await this.#mini.vacuum();
		const db = this.#db;
		const next: SavedIndex = {
			version: formatVersion,
			generation: this.#generation + 1,
			index: JSON.stringify(this.#mini),
			sessions: Object.fromEntries([...this.#sessions].map(([k, v]) => [k, [...v]]))
		};
		return db.transaction('rw', [db.meta, db.searchQueue], async () => {
			const stored = (await db.meta.get(metaKey))?.value as SavedIndex | undefined;
			if ((stored?.generation ?? 0) !== this.#generation) return false;
			await db.meta.put({ key: metaKey, value: next });
			await db.searchQueue.bulkDelete(consumed);
			this.#generation = next.generation;
			return true;
		});
	}
}

async function load(db: TetherDb): Promise<SavedIndex | undefined> {
	const saved = (await db.meta.get(metaKey))?.value as SavedIndex | undefined;
	return saved && saved.version === formatVersion ? saved : undefined;
}
