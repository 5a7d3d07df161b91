import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { snippet } from '../core/search.js';
import { TetherDb } from './db.js';
import { DocStore } from './doc-store.js';
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
		const saved = JSON.stringify((await db.meta.get('search.index'))?.value);
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

	it('[LB9] snippets are cut between graphemes', () => {
		const text = '👩‍👩‍👧'.repeat(40) + ' the needle ' + '🇫🇷'.repeat(80);
		const parts = snippet(text, ['needle']);
		const joined = parts.map((p) => p.text).join('');
		expect(joined.startsWith('…👩‍👩‍👧')).toBe(true);
		expect(joined).toMatch(/🇫🇷…$/u);
		expect(parts.find((p) => p.hit)?.text).toBe('needle');
	});
});
