import { liveQuery, type Subscription } from 'dexie';
import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import type { MessageRow, SessionRow } from '../core/rows.js';
import {
	foldTerm,
	foldText,
	indexedText,
	queryTerms,
	snippet,
	termPattern,
	highlight,
	type SnippetPart
} from '../core/search.js';
import { TaskBudget } from './next-task.js';
import type { MetaEntry, SearchChange, TetherDb } from './db.js';

/*
 * Full-text search over every session's messages, on this device, offline. The index of the
 * message rows is kept in the account's database in segments, each a MiniSearch index of some
 * messages in its own `meta` row (`search.segment.<n>`), listed by a small manifest
 * (`search.index`). It is brought up to date from the queue of changed rows the doc store writes
 * with the rows themselves (`searchQueue`): a reload reads the saved segments, not every message.
 * A catch-up puts what it takes in into a new segment and writes only that one (and any older
 * segment it removed messages from, so a deleted message's words do not stay on disk); small
 * segments are merged as they pile up, from their rows, so their number stays about logarithmic.
 * Whichever tab takes the queue first saves; a `generation` number tells a tab that another one
 * saved meanwhile, so it reloads instead of overwriting. Titles are few: they are matched straight
 * from the session rows.
 */

const manifestKey = 'search.index';
const segmentKey = (n: number) => `search.segment.${n}`;
/**
 * Version 3 folds words (case, accents, composed or not: `foldText`). Earlier versions (1 kept
 * the whole index in the manifest row, 2 in segments) hold unfolded words: they are rebuilt from
 * the rows, and their segment rows are deleted with the first save.
 */
const formatVersion = 3;
/** A segment is merged into the one before it once that one holds at most this many times more. */
const mergeRatio = 2;

interface IndexedMessage {
	id: string;
	sessionId: string;
	text: string;
}

interface SavedManifest {
	version: number;
	generation: number;
	/** Segment numbers, oldest first. */
	segments: number[];
	nextSegment: number;
}

interface SavedSegment {
	/** MiniSearch's JSON. */
	index: string;
	/** Which indexed message ids belong to which session (to drop a session's or stale rows). */
	sessions: Record<string, string[]>;
}

interface Segment {
	key: number;
	mini: MiniSearch<IndexedMessage>;
	sessions: Map<string, Set<string>>;
	/** Changed since it was saved (or never saved). */
	dirty: boolean;
}

interface Loaded {
	generation: number;
	segments: Segment[];
	nextSegment: number;
	/** Nothing readable was saved: every session is to be indexed. */
	empty: boolean;
	/** Segment rows of an earlier version, to delete with the first save. */
	stale: number[];
}

const options: Options<IndexedMessage> = {
	fields: ['text'],
	storeFields: ['sessionId'],
	// Words are kept and looked up folded, so "café" finds "cafe\u0301" and "CAFE" alike.
	processTerm: (term) => foldTerm(term),
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
	/** Oldest first; every indexed message is in exactly one. */
	#segments: Segment[] = [];
	/** The segment each indexed message is in. */
	#where = new Map<string, Segment>();
	/** Segment rows to delete at the next save (merged or emptied). */
	#dropped: number[] = [];
	#nextSegment = 0;
	#generation = 0;
	#running: Promise<void> = Promise.resolve();
	/** The session rows, kept by a live query so a search does not read them all each time. */
	#sessionRows: SessionRow[] | undefined;
	#watch: Subscription | undefined;

	private constructor(db: TetherDb, loaded: Loaded) {
		this.#db = db;
		this.#use(loaded);
	}

	static async open(db: TetherDb): Promise<SearchIndex> {
		const loaded = await load(db);
		const index = new SearchIndex(db, loaded);
		if (loaded.empty) await index.#queueEverything();
		return index;
	}

	/** Stops watching the session rows. */
	close(): void {
		this.#watch?.unsubscribe();
		this.#watch = undefined;
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
		return this.#where.size;
	}

	/** How many segments the index is in now (for tests and the benchmark). */
	get segmentCount(): number {
		return this.#segments.length;
	}

	/** Results grouped by session, best first; message snippets read back from the rows. */
	async search(query: string, limit = 60): Promise<SearchGroup[]> {
		const words = queryTerms(query);
		if (words.length === 0) return [];
		let results = this.#match(query, false);
		if (results.length === 0) results = this.#match(query, true);
		results = results.sort((a, b) => b.score - a.score).slice(0, limit);
		const rows = await this.#db.messages.bulkGet(results.map((r) => r.id as string));
		const sessionRows = await this.#sessions();
		const byId = new Map(sessionRows.map((s) => [s.id, s]));
		// A session that arrived a moment ago may not be in the watched rows yet.
		const missing = [...new Set(rows.map((r) => r?.sessionId))].filter(
			(id): id is string => id !== undefined && !byId.has(id)
		);
		for (const row of await this.#db.sessions.bulkGet(missing)) if (row) byId.set(row.id, row);
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
			const title = foldText(session.title);
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

	/**
	 * Every word matches as a prefix, and a word of five letters or more also with one small typo
	 * [LB9]. The last word, the one being typed, is tried with a typo only when nothing matched
	 * without: a prefix that may also differ by a letter reaches many terms (all of `w1234`'s
	 * neighbours and their extensions), and scoring their hits made it the slowest query of all.
	 */
	#match(query: string, typoInLast: boolean): SearchResult[] {
		const fuzzy = (term: string, i: number, terms: string[]) =>
			term.length > 4 && (typoInLast || i < terms.length - 1) ? 0.15 : 0;
		return this.#segments.flatMap((segment) =>
			segment.mini.search(query, { prefix: true, fuzzy, combineWith: 'AND' })
		);
	}

	async #sessions(): Promise<SessionRow[]> {
		if (this.#sessionRows) return this.#sessionRows;
		this.#watch ??= liveQuery(() => this.#db.sessions.toArray()).subscribe({
			next: (rows) => {
				this.#sessionRows = rows;
			},
			error: () => {
				// The database closed (sign-out, a test's end): read the rows directly from now on.
				this.#sessionRows = undefined;
			}
		});
		return this.#db.sessions.toArray();
	}

	#use(loaded: Loaded): void {
		this.#segments = loaded.segments;
		this.#nextSegment = loaded.nextSegment;
		this.#generation = loaded.generation;
		this.#dropped = loaded.stale;
		this.#where = new Map();
		for (const segment of this.#segments)
			for (const ids of segment.sessions.values())
				for (const id of ids) this.#where.set(id, segment);
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
			const unsaved = this.#segments.some((s) => s.dirty) || this.#dropped.length > 0;
			if (changes.length === 0 && !unsaved) return;
			await this.#apply(changes);
			await this.#merge();
			const saved = await this.#save(changes.map((c) => c.id as number));
			// Another tab saved first: start again from what it saved.
			if (!saved) this.#use(await load(this.#db));
			else if (changes.length === 0) return;
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
		// Thousands of messages (an import, a first sync) are indexed a slice per task.
		const budget = new TaskBudget();
		// What this catch-up takes in goes into one new segment, written alone.
		let fresh: Segment | undefined;
		for (const [sessionId, change] of bySession) {
			const take = async (rows: MessageRow[]) => {
				for (const row of rows) {
					if (!fresh) {
						fresh = this.#newSegment();
						this.#segments.push(fresh);
					}
					this.#remove(row.id);
					add(fresh, { id: row.id, sessionId, text: row.text });
					this.#where.set(row.id, fresh);
					if (budget.spent) await budget.next();
				}
			};
			const seen = new Set<string>();
			if (change.fromSeq !== undefined) {
				// Rows from fromSeq on were rewritten: drop indexed ids that are no longer rows.
				const current = new Set(
					(await db.messages.where('sessionId').equals(sessionId).primaryKeys()) as string[]
				);
				for (const segment of this.#segments) {
					for (const id of segment.sessions.get(sessionId) ?? []) {
						if (!current.has(id)) this.#remove(id);
					}
				}
				for await (const rows of messagesFrom(db, sessionId, change.fromSeq)) {
					for (const row of rows) seen.add(row.id);
					await take(rows);
				}
			}
			const edited = [...change.ids].filter((id) => !seen.has(id));
			for await (const rows of messagesById(db, edited)) await take(rows);
		}
	}

	#newSegment(): Segment {
		return {
			key: this.#nextSegment++,
			mini: new MiniSearch(options),
			sessions: new Map(),
			dirty: true
		};
	}

	/** Takes a message out of the segment it is in (the segment is then saved again). */
	#remove(id: string): void {
		const segment = this.#where.get(id);
		if (!segment) return;
		const sessionId = segment.mini.getStoredFields(id)?.sessionId as string;
		segment.mini.discard(id);
		const ids = segment.sessions.get(sessionId);
		ids?.delete(id);
		if (ids?.size === 0) segment.sessions.delete(sessionId);
		segment.dirty = true;
		this.#where.delete(id);
	}

	/**
	 * Drops empty segments, and merges the newest segment into the one before it while that one
	 * is not much bigger, rebuilding the merged one from the rows. Each message is thus rebuilt
	 * about log(n) times over its life, and a query looks at few segments.
	 */
	async #merge(): Promise<void> {
		const budget = new TaskBudget();
		for (const segment of this.#segments) {
			if (segment.mini.documentCount === 0) this.#dropped.push(segment.key);
		}
		this.#segments = this.#segments.filter((s) => s.mini.documentCount > 0);
		for (;;) {
			const n = this.#segments.length;
			if (n < 2) return;
			const [older, newer] = [this.#segments[n - 2]!, this.#segments[n - 1]!];
			if (older.mini.documentCount > mergeRatio * newer.mini.documentCount) return;
			const merged = this.#newSegment();
			for (const segment of [older, newer]) {
				const ids = [...segment.sessions.values()].flatMap((set) => [...set]);
				for await (const rows of messagesById(this.#db, ids)) {
					for (const row of rows) {
						add(merged, { id: row.id, sessionId: row.sessionId, text: row.text });
						this.#where.set(row.id, merged);
						if (budget.spent) await budget.next();
					}
				}
				this.#dropped.push(segment.key);
			}
			this.#segments.splice(n - 2, 2, merged);
		}
	}

	/** Saves the changed segments and drops the changes taken in, unless another tab saved. */
	async #save(consumed: number[]): Promise<boolean> {
		const writes: MetaEntry[] = [];
		for (const segment of this.#segments) {
			if (!segment.dirty) continue;
			// Discarded messages' terms stay in the index until vacuumed: a deleted session's words
			// must not be saved.
			if (segment.mini.dirtCount > 0) await segment.mini.vacuum();
			const value: SavedSegment = {
				index: JSON.stringify(segment.mini),
				sessions: Object.fromEntries([...segment.sessions].map(([k, v]) => [k, [...v]]))
			};
			writes.push({ key: segmentKey(segment.key), value });
		}
		const manifest: SavedManifest = {
			version: formatVersion,
			generation: this.#generation + 1,
			segments: this.#segments.map((s) => s.key),
			nextSegment: this.#nextSegment
		};
		writes.push({ key: manifestKey, value: manifest });
		const db = this.#db;
		const dropped = this.#dropped.map(segmentKey);
		return db.transaction('rw', [db.meta, db.searchQueue], async () => {
			const stored = (await db.meta.get(manifestKey))?.value as { generation?: number } | undefined;
			if ((stored?.generation ?? 0) !== this.#generation) return false;
			await db.meta.bulkDelete(dropped);
			await db.meta.bulkPut(writes);
			await db.searchQueue.bulkDelete(consumed);
			this.#generation = manifest.generation;
			this.#dropped = [];
			for (const segment of this.#segments) segment.dirty = false;
			return true;
		});
	}
}

/** Message rows read at once: a session of a 100 MB transcript is not one copy into the page. */
const readPage = 500;

/** The message rows of these ids that still exist, a page at a time. */
async function* messagesById(db: TetherDb, ids: string[]): AsyncGenerator<MessageRow[]> {
	for (let start = 0; start < ids.length; start += readPage) {
		const rows = await db.messages.bulkGet(ids.slice(start, start + readPage));
		yield rows.filter((row) => row !== undefined);
	}
}

/** A session's message rows from `fromSeq` on, in order, a page at a time. */
async function* messagesFrom(
	db: TetherDb,
	sessionId: string,
	fromSeq: number
): AsyncGenerator<MessageRow[]> {
	let from = fromSeq;
	let includeFrom = true;
	for (;;) {
		const rows = await db.messages
			.where('[sessionId+seq]')
			.between([sessionId, from], [sessionId, Infinity], includeFrom)
			.limit(readPage)
			.toArray();
		if (rows.length > 0) yield rows;
		if (rows.length < readPage) return;
		from = rows[rows.length - 1]!.seq;
		includeFrom = false;
	}
}

function add(segment: Segment, doc: IndexedMessage): void {
	segment.mini.add(doc);
	const ids = segment.sessions.get(doc.sessionId) ?? new Set<string>();
	ids.add(doc.id);
	segment.sessions.set(doc.sessionId, ids);
	segment.dirty = true;
}

function readSegment(key: number, saved: SavedSegment, dirty: boolean): Segment {
	return {
		key,
		mini: MiniSearch.loadJSON(saved.index, options),
		sessions: new Map(Object.entries(saved.sessions).map(([k, v]) => [k, new Set(v)])),
		dirty
	};
}

/**
 * The saved index. Anything of another version or unreadable counts as nothing saved, keeping its
 * generation so that this tab's first save replaces it (and deletes an earlier version's segments).
 */
async function load(db: TetherDb): Promise<Loaded> {
	const saved = (await db.meta.get(manifestKey))?.value as Partial<SavedManifest> | undefined;
	const generation = saved?.generation ?? 0;
	const stale = Array.isArray(saved?.segments)
		? saved.segments.filter((key): key is number => Number.isInteger(key))
		: [];
	const nothing: Loaded = { generation, segments: [], nextSegment: 0, empty: true, stale };
	if (!saved) return nothing;
	if (saved.version !== formatVersion || !saved.segments) return nothing;
	const keys = saved.segments;
	const rows = await db.meta.bulkGet(keys.map(segmentKey));
	if (rows.some((row) => !row)) return nothing;
	const segments = keys.map((key, i) => readSegment(key, rows[i]!.value as SavedSegment, false));
	return {
		generation,
		segments,
		nextSegment: saved.nextSegment ?? keys.length,
		empty: false,
		stale: []
	};
}
