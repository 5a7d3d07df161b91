import 'fake-indexeddb/auto';
import MiniSearch from 'minisearch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { snippet } from '../core/search.js';
import { TetherDb, type MetaEntry } from './db.js';
import { DocStore } from './doc-store.js';
import { importSessions } from './library.js';
import * as projects from './projects.js';
import { SearchIndex } from './search-index.js';
import * as sessions from './sessions.js';

let counter = 0;
const opened: { db: TetherDb; store: DocStore }[] = [];

function openStore() {
	const db = new TetherDb(`search-${++counter}`);
	const store = new DocStore(db);
	opened.push({ db, store });
	return { db, store };
}

afterEach(async () => {
	for (const { db, store } of opened.splice(0)) {
		store.destroy();
		db.close();
		await db.delete();
	}
});

async function session(store: DocStore, projectId: string, ...texts: string[]) {
	const created = sessions.create(store, projectId);
	created.release();
	await created.saved;
	for (const text of texts) await sessions.send(store, projectId, created.id, text);
	return created.id;
}

/** Every row the index saved, as one string. */
async function savedIndex(db: TetherDb): Promise<string> {
	const rows = await db.meta.where('key').startsWith('search.').toArray();
	return JSON.stringify(rows);
}

async function segmentRows(db: TetherDb): Promise<Map<string, string>> {
	const rows = await db.meta.where('key').startsWith('search.segment.').toArray();
	return new Map(rows.map((r) => [r.key, JSON.stringify(r.value)]));
}

const flat = (parts: { text: string; hit: boolean }[]) =>
	parts.map((p) => (p.hit ? `[${p.text}]` : p.text)).join('');

describe('search index', () => {
	it('[LB9] finds message text and titles over every project, grouped by session, highlighted', async () => {
		const { db, store } = openStore();
		const a = await projects.create(store, 'A');
		const b = await projects.create(store, 'B');
		const first = await session(
			store,
			a,
			'Deploy the gateway',
			'the gateway needs TLS certificates'
		);
		await session(store, b, 'Unrelated talk about lunch');
		const third = await session(store, b, 'Which certificate renews first?');
		const index = await SearchIndex.open(db);
		await index.catchUp();
		const groups = await index.search('certificat');
		expect(groups.map((g) => g.session.id).sort()).toEqual([first, third].sort());
		const hit = groups.find((g) => g.session.id === first)!.hits[0]!;
		expect(flat(hit.parts)).toBe('the gateway needs TLS [certificates]');
		const titled = await index.search('gateway');
		expect(titled[0]!.session.id).toBe(first);
		expect(flat(titled[0]!.title)).toBe('Deploy the [gateway]');
		expect(titled[0]!.hits).toHaveLength(2);
	});

	it('[LB9] tolerates a small typo in a long word; the word being typed only when nothing else matched', async () => {
		const { store } = openStore();
		const p = await projects.create(store, 'P');
		const parser = await session(store, p, 'the gateway parser is slow');
		const parsed = await session(store, p, 'the gateway parsed it');
		const index = await SearchIndex.open(store.db);
		await index.catchUp();
		const ids = async (query: string) => (await index.search(query)).map((g) => g.session.id);
		// A word before the last: matched with its typo.
		expect((await ids('gatewy parser')).sort()).toEqual([parser]);
		// The last word matches as typed ("parser" also as a prefix) and pulls in no neighbours.
		expect(await ids('parser')).toEqual([parser]);
		// Nothing matches as typed: then the last word may differ by a letter too.
		expect((await ids('parsex')).sort()).toEqual([parsed, parser].sort());
		expect(await ids('zebra')).toEqual([]);
	});
	it('[LB10] keeps up incrementally, survives a reload without re-reading, forgets deleted sessions', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		const gone = await session(store, p, 'zanzibar secret words');
		const index = await SearchIndex.open(db);
		await index.catchUp();
		expect(await db.searchQueue.count()).toBe(0);
		await session(store, p, 'a new quokka message');
		expect(await db.searchQueue.count()).toBeGreaterThan(0);
		await index.catchUp();
		expect((await index.search('quokka')).length).toBe(1);

		// A reload opens the saved index: nothing queued, nothing re-read, same answers.
		const reloaded = await SearchIndex.open(db);
		expect(await db.searchQueue.count()).toBe(0);
		expect(reloaded.size).toBe(2);
		expect((await reloaded.search('zanzibar')).length).toBe(1);

		await sessions.remove(store, p, gone);
		await reloaded.catchUp();
		expect(await reloaded.search('zanzibar')).toEqual([]);
		const saved = await savedIndex(db);
		expect(saved).not.toContain('zanzibar');
		expect(saved).toContain('quokka');
	});

	it('[LB10] a tab whose index is stale reloads the saved one instead of overwriting it', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		const one = await SearchIndex.open(db);
		const two = await SearchIndex.open(db);
		await session(store, p, 'one', 'first walrus');
		await one.catchUp();
		await session(store, p, 'two', 'second narwhal');
		await two.catchUp();
		const fresh = await SearchIndex.open(db);
		expect((await fresh.search('walrus')).length).toBe(1);
		expect((await fresh.search('narwhal')).length).toBe(1);
	});

	it('[LB25] a catch-up writes a new segment and leaves the saved ones alone', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		await session(store, p, 'an old pelican', 'more about pelicans');
		await session(store, p, 'old ibis');
		await session(store, p, 'old heron');
		const index = await SearchIndex.open(db);
		await index.catchUp();
		const before = await segmentRows(db);
		expect(before.size).toBe(1);
		await session(store, p, 'a new puffin');
		const written: string[] = [];
		const bulkPut = db.meta.bulkPut.bind(db.meta);
		vi.spyOn(db.meta, 'bulkPut').mockImplementation((rows, ...rest) => {
			written.push(...(rows as MetaEntry[]).map((r) => r.key));
			return bulkPut(rows, ...(rest as []));
		});
		await index.catchUp();
		const after = await segmentRows(db);
		expect(after.size).toBe(2);
		const added = [...after.keys()].filter((key) => !before.has(key));
		expect(written.sort()).toEqual([...added, 'search.index'].sort());
		for (const [key, value] of before) expect(after.get(key)).toBe(value);
		const reloaded = await SearchIndex.open(db);
		expect(reloaded.segmentCount).toBe(2);
		expect((await reloaded.search('puffin')).length).toBe(1);
		expect((await reloaded.search('pelican')).length).toBe(1);
	});

	it('[LB25] a deleted message leaves its saved segment in the same save', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		await session(store, p, 'an old pelican', 'more about pelicans', 'and more', 'and so on');
		const gone = await session(store, p, 'a toucan');
		const index = await SearchIndex.open(db);
		await index.catchUp();
		await session(store, p, 'a new puffin');
		await index.catchUp();
		expect(index.segmentCount).toBe(2);
		await sessions.remove(store, p, gone);
		await index.catchUp();
		expect(await savedIndex(db)).not.toContain('toucan');
		expect(await index.search('toucan')).toEqual([]);
		expect((await index.search('puffin')).length).toBe(1);
	});

	it('[LB25] small segments are merged, so a query looks at few', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		const index = await SearchIndex.open(db);
		for (let i = 0; i < 16; i++) {
			await session(store, p, `message number ${i} about albatross`);
			await index.catchUp();
		}
		expect(index.segmentCount).toBeLessThanOrEqual(5);
		expect((await segmentRows(db)).size).toBe(index.segmentCount);
		const reloaded = await SearchIndex.open(db);
		expect(reloaded.size).toBe(16);
		expect((await reloaded.search('albatross')).length).toBe(16);
	});

	it('[LB26] an index of an earlier version (unfolded words) is rebuilt, and its rows deleted', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		const id = await session(store, p, 'an old gannet at the café');
		const [row] = await db.messages.where('sessionId').equals(id).toArray();
		const old = new MiniSearch<{ id: string; sessionId: string; text: string }>({
			fields: ['text'],
			storeFields: ['sessionId']
		});
		old.add({ id: row!.id, sessionId: id, text: row!.text });
		await db.searchQueue.clear();
		const segment = { index: JSON.stringify(old), sessions: { [id]: [row!.id] } };
		await db.meta.bulkPut([
			{
				key: 'search.index',
				value: { version: 2, generation: 4, segments: [0, 7], nextSegment: 8 }
			},
			{ key: 'search.segment.0', value: segment },
			{ key: 'search.segment.7', value: segment }
		]);
		const index = await SearchIndex.open(db);
		await index.catchUp();
		expect((await index.search('gannet')).length).toBe(1);
		// Found with or without the accent, composed or not: the words were folded anew.
		expect((await index.search('cafe')).length).toBe(1);
		expect((await index.search('cafe\u0301')).length).toBe(1);
		const manifest = (await db.meta.get('search.index'))?.value as { version: number };
		expect(manifest.version).toBe(3);
		expect([...(await segmentRows(db)).keys()]).not.toContain('search.segment.7');
		const reloaded = await SearchIndex.open(db);
		expect((await reloaded.search('CAFÉ')).length).toBe(1);
	});

	it('[LB29] composed and decomposed accents, case and accents left out all find the same words', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		await session(store, p, 'alpha caf\u00e9 r\u00e9sum\u00e9');
		await session(store, p, 'beta cafe\u0301 re\u0301sume\u0301');
		await session(store, p, 'gamma na\u00efve plan in \u0130stanbul, שָׁלוֹם');
		const index = await SearchIndex.open(db);
		await index.catchUp();
		const texts = async (query: string) =>
			(await index.search(query)).flatMap((g) => g.hits.map((h) => flat(h.parts))).sort();
		const both = ['alpha [caf\u00e9] r\u00e9sum\u00e9', 'beta [cafe\u0301] re\u0301sume\u0301'];
		expect(await texts('caf\u00e9')).toEqual(both);
		expect(await texts('cafe\u0301')).toEqual(both);
		expect(await texts('cafe')).toEqual(both);
		expect(await texts('CAFÉ')).toEqual(both);
		expect(await texts('resume')).toEqual([
			'alpha caf\u00e9 [r\u00e9sum\u00e9]',
			'beta cafe\u0301 [re\u0301sume\u0301]'
		]);
		expect(await texts('naive')).toEqual(['gamma [na\u00efve] plan in \u0130stanbul, שָׁלוֹם']);
		// The dotted capital I folds to i, and the highlight keeps the whole letter.
		expect(await texts('istanbul')).toEqual(['gamma na\u00efve plan in [\u0130stanbul], שָׁלוֹם']);
		// Hebrew points are kept: the pointed word finds itself.
		expect(await texts('שָׁלוֹם')).toEqual(['gamma na\u00efve plan in \u0130stanbul, [שָׁלוֹם]']);
	});

	it('[LB26] an index saved in an unknown form is rebuilt from the rows and replaced', async () => {
		const { db, store } = openStore();
		const p = await projects.create(store, 'P');
		await session(store, p, 'a shag');
		await db.searchQueue.clear();
		await db.meta.put({ key: 'search.index', value: { version: 99, generation: 7, blob: 'x' } });
		const index = await SearchIndex.open(db);
		await index.catchUp();
		expect((await index.search('shag')).length).toBe(1);
		const manifest = (await db.meta.get('search.index'))?.value as { version: number };
		expect(manifest.version).toBe(3);
		expect(await db.searchQueue.count()).toBe(0);
	});

	it('[LB25] a session of thousands of messages (an import) is indexed whole, read a page at a time', async () => {
		const { db, store } = openStore();
		const projectId = await projects.create(store, 'Imported');
		const messages = Array.from({ length: 1_234 }, (_, i) => ({
			id: `m${i}`,
			role: 'user' as const,
			text: `note number${i} about wombats 🦘`,
			createdAt: i
		}));
		const {
			ids: [sessionId]
		} = await importSessions(store, projectId, [
			{ title: 'Long', renamed: false, createdAt: 0, lastActivity: 1_234, messages }
		]);
		// Rebuilt from the rows alone (as when the saved index is unreadable): every page is read.
		await db.searchQueue.clear();
		await db.meta.put({ key: 'search.index', value: { version: 99, generation: 1 } });
		const index = await SearchIndex.open(db);
		await index.catchUp();
		for (const n of [0, 499, 500, 501, 999, 1_000, 1_233]) {
			const groups = await index.search(`number${n}`);
			expect(groups.map((g) => g.session.id)).toEqual([sessionId]);
			expect(groups[0]!.hits).toHaveLength(1);
		}
		expect((await index.search('wombats'))[0]!.hits.length).toBeGreaterThan(0);
	});

	it('[LB9] snippets are cut between graphemes', () => {
		const text = '👩‍👩‍👧'.repeat(40) + ' the needle ' + '🇫🇷'.repeat(80);
		const parts = snippet(text, ['needle']);
		const joined = parts.map((p) => p.text).join('');
		expect(joined.startsWith('…👩‍👩‍👧')).toBe(true);
		expect(joined).toMatch(/🇫🇷…$/u);
		expect(parts.find((p) => p.hit)?.text).toBe('needle');
	});
});
