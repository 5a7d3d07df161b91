import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { accountDoc, projectDoc, sessionDoc } from '../core/doc-names.js';
import * as projection from '../core/projection.js';
import * as shapes from '../core/shapes.js';
import { TetherDb } from './db.js';
import { DocDeletedError, DocStore } from './doc-store.js';
import * as projects from './projects.js';
import * as sessions from './sessions.js';

let counter = 0;
const opened: { db: TetherDb; store: DocStore }[] = [];

function openStore(name = `test-${++counter}`, compactAfter = 200) {
	const db = new TetherDb(name);
	const store = new DocStore(db, { compactAfter });
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

/** Rebuilds every row from the stored documents, as a fresh device would. */
async function rowsFromDocuments(db: TetherDb) {
	const byDoc = new Map<string, Uint8Array[]>();
	for (const u of await db.updates.toArray()) {
		byDoc.set(u.docName, [...(byDoc.get(u.docName) ?? []), u.data]);
	}
	const load = (name: string) => {
		const doc = new Y.Doc();
		for (const u of byDoc.get(name) ?? []) Y.applyUpdate(doc, u);
		return doc;
	};
	const projectRows = projection.projectRows(load(accountDoc)).rows;
	const sessionRows = projectRows.flatMap(
		(p) => projection.sessionRows(p.id, load(projectDoc(p.id))).rows
	);
	const messageRows = sessionRows.flatMap((s) =>
		projection.messageRows(s.id, load(sessionDoc(s.id)))
	);
	const byId = <T extends { id: string }>(rows: T[]) =>
		[...rows].sort((a, b) => a.id.localeCompare(b.id));
	return { projects: byId(projectRows), sessions: byId(sessionRows), messages: byId(messageRows) };
}

async function storedRows(db: TetherDb) {
	const byId = <T extends { id: string }>(rows: T[]) =>
		[...rows].sort((a, b) => a.id.localeCompare(b.id));
	return {
		projects: byId(await db.projects.toArray()),
		sessions: byId(await db.sessions.toArray()),
		messages: byId(await db.messages.toArray())
	};
}

describe('local store', () => {
	it('[LS1] rows are a projection of the stored documents after every verb', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const p2 = await projects.create(store, 'Beta');
		await projects.rename(store, p2, 'Beta two');
		const s1 = await sessions.create(store, p1);
		const s2 = await sessions.create(store, p1);
		await sessions.send(store, p1, s1, 'first question');
		await sessions.send(store, p1, s1, 'second');
		await sessions.send(store, p1, s2, 'other session');
		await sessions.rename(store, p1, s2, 'Renamed');
		expect(await storedRows(db)).toEqual(await rowsFromDocuments(db));
		const rows = await storedRows(db);
		expect(rows.projects.map((p) => p.name).sort()).toEqual(['Alpha', 'Beta two']);
		expect(rows.sessions.map((s) => s.title).sort()).toEqual(['Renamed', 'first question']);
		expect(rows.messages).toHaveLength(3);
	});

	it('[LS2] a failed transaction stores neither the update nor its rows, and retries', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const realBulkAdd = db.updates.bulkAdd.bind(db.updates);
		let failOnce = true;
		db.updates.bulkAdd = ((...args: Parameters<typeof realBulkAdd>) => {
			if (failOnce) {
				failOnce = false;
				return Promise.reject(new Error('QuotaExceededError'));
			}
			return realBulkAdd(...args);
		}) as typeof db.updates.bulkAdd;
		const account = await store.open(accountDoc);
		shapes.renameProject(account, p1, 'Renamed');
		await new Promise((r) => setTimeout(r, 20));
		expect((await db.projects.get(p1))?.name).toBe('Alpha');
		expect(await storedRows(db)).toEqual(await rowsFromDocuments(db));
		// The edit was kept in memory and lands on the retry.
		await expect
			.poll(async () => (await db.projects.get(p1))?.name, { timeout: 5000 })
			.toBe('Renamed');
		expect(await storedRows(db)).toEqual(await rowsFromDocuments(db));
		store.release(accountDoc);
	});

	it('[LS3] a deleted session leaves no rows and no updates, and is never stored again', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await sessions.create(store, p1);
		const s2 = await sessions.create(store, p1);
		await sessions.send(store, p1, s1, 'secret words');
		const held = await store.open(sessionDoc(s1));
		await sessions.remove(store, p1, s1);
		expect(await db.sessions.get(s1)).toBeUndefined();
		expect(await db.messages.where('sessionId').equals(s1).count()).toBe(0);
		expect(await db.updates.where('docName').equals(sessionDoc(s1)).count()).toBe(0);
		expect(await db.tombstones.get(sessionDoc(s1))).toBeDefined();
		// An edit to a copy still held in memory is not written back.
		shapes.draft(held).insert(0, 'late edit');
		await store.flush();
		expect(await db.updates.where('docName').equals(sessionDoc(s1)).count()).toBe(0);
		await expect(store.open(sessionDoc(s1))).rejects.toBeInstanceOf(DocDeletedError);
		expect((await db.sessions.toArray()).map((s) => s.id)).toEqual([s2]);
	});

	it('[LS4] deleting a project removes its sessions, messages and documents', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const p2 = await projects.create(store, 'Beta');
		const s1 = await sessions.create(store, p1);
		await sessions.send(store, p1, s1, 'hello');
		const s3 = await sessions.create(store, p2);
		await projects.remove(store, p1);
		expect(await db.projects.get(p1)).toBeUndefined();
		expect(await db.sessions.where('projectId').equals(p1).count()).toBe(0);
		expect(await db.messages.count()).toBe(0);
		const names = new Set((await db.updates.toArray()).map((u) => u.docName));
		expect(names.has(projectDoc(p1))).toBe(false);
		expect(names.has(sessionDoc(s1))).toBe(false);
		expect(names.has(sessionDoc(s3))).toBe(true);
	});

	it('[LS5] the update log is compacted without losing content', async () => {
		const { db, store } = openStore(undefined, 20);
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await sessions.create(store, p1);
		const doc = await store.open(sessionDoc(s1));
		for (let i = 0; i < 60; i++) {
			shapes.draft(doc).insert(shapes.draft(doc).length, 'x');
			await store.flush();
		}
		expect(await db.updates.where('docName').equals(sessionDoc(s1)).count()).toBeLessThanOrEqual(
			21
		);
		store.release(sessionDoc(s1));
		await store.flush();
		const again = openStore(db.name);
		const reopened = await again.store.open(sessionDoc(s1));
		expect(shapes.draft(reopened).toString()).toBe('x'.repeat(60));
	});

	it('[LS6] the draft is part of the session document and survives reopening', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await sessions.create(store, p1);
		const doc = await store.open(sessionDoc(s1));
		shapes.replaceText(shapes.draft(doc), 'half-written thought');
		store.release(sessionDoc(s1));
		await store.flush();
		const second = openStore(db.name);
		const reopened = await second.store.open(sessionDoc(s1));
		expect(shapes.draft(reopened).toString()).toBe('half-written thought');
	});

	it('[LS7] local changes leave a dirty mark that only a sync of everything in memory clears', async () => {
		const { store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		expect(await store.dirtyDocs()).toEqual([accountDoc]);
		// An update from the server (a registered remote origin) marks nothing.
		const server = {};
		store.addRemoteOrigin(server);
		const project = await store.open(projectDoc(p1));
		Y.applyUpdate(project, Y.encodeStateAsUpdate(new Y.Doc()), server);
		project.transact(() => shapes.projectInfo(project).insert(0, 'from the server'), server);
		await store.flush();
		expect(await store.dirtyDocs()).toEqual([accountDoc]);
		await store.markSynced(accountDoc);
		expect(await store.dirtyDocs()).toEqual([]);
		// A change still unstored when "synced" arrives keeps the mark.
		shapes.projectInfo(project).insert(0, 'local ');
		await store.markSynced(projectDoc(p1));
		await store.flush();
		expect(await store.dirtyDocs()).toEqual([projectDoc(p1)]);
		store.release(projectDoc(p1));
	});

	it('rejects empty names and empty messages with a message, storing nothing', async () => {
		const { db, store } = openStore();
		await expect(projects.create(store, '   ')).rejects.toThrow('Project name cannot be empty.');
		expect(await db.projects.count()).toBe(0);
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await sessions.create(store, p1);
		await expect(sessions.rename(store, p1, s1, '')).rejects.toThrow(
			'Session name cannot be empty.'
		);
		await expect(sessions.send(store, p1, s1, ' \n ')).rejects.toThrow('Message is empty.');
		expect(await db.messages.count()).toBe(0);
	});

	it('stores a 1 MB message whole', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await sessions.create(store, p1);
		const big = 'ab'.repeat(512 * 1024);
		await sessions.send(store, p1, s1, big);
		const rows = await db.messages.where('sessionId').equals(s1).toArray();
		expect(rows[0]?.text.length).toBe(big.length);
	});
});
