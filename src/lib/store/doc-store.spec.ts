import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { accountDoc, projectDoc, sessionDoc } from '../core/doc-names.js';
import { deleteFile, writeFile } from '../core/files.js';
import * as projection from '../core/projection.js';
import { lostWorkMessage, type LostWork } from '../core/lost-work.js';
import * as shapes from '../core/shapes.js';
import { TetherDb } from './db.js';
import { DocDeletedError, DocStore } from './doc-store.js';
import { isQuotaExceeded } from '../core/storage-trouble.js';
import * as projects from './projects.js';
import * as sessions from './sessions.js';

let counter = 0;
const opened: { db: TetherDb; store: DocStore }[] = [];

function openStore(name = `test-${++counter}`, compactAfter = 200, compactWholeBelow?: number) {
	const db = new TetherDb(name);
	const store = new DocStore(db, { compactAfter, compactWholeBelow });
	opened.push({ db, store });
	return { db, store };
}

/** Creates a session and waits until it is stored, as a view that lets go of it would. */
async function newSession(store: DocStore, projectId: string): Promise<string> {
	const created = sessions.create(store, projectId);
	created.release();
	await created.saved;
	return created.id;
}

/** Whether any stored update, row or mark of this database contains `text` (as UTF-8 or as a string). */
async function storedAnywhere(db: TetherDb, text: string): Promise<boolean> {
	const needle = new TextEncoder().encode(text);
	const contains = (bytes: Uint8Array) => {
		outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
			for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
			return true;
		}
		return false;
	};
	for (const table of db.tables) {
		for (const row of await table.toArray()) {
			const found = JSON.stringify(row, (_key, value: unknown) =>
				value instanceof Uint8Array ? (contains(value) ? text : '') : value
			).includes(text);
			if (found) return true;
		}
	}
	return false;
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
		const s1 = await newSession(store, p1);
		const s2 = await newSession(store, p1);
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
		// The first write ran and failed (flush waits for it; the retry comes later).
		await store.flush();
		expect(failOnce).toBe(false);
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
		const s1 = await newSession(store, p1);
		const s2 = await newSession(store, p1);
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

	it('[LS16] a deletion from another device tells what it discarded of unsent work here, once', async () => {
		const { store } = openStore();
		const lost: LostWork[][] = [];
		store.onLostWork((items) => lost.push(items));
		const server = {};
		store.addRemoteOrigin(server);
		const p1 = await projects.create(store, 'Alpha');
		const unsent = await newSession(store, p1);
		const synced = await newSession(store, p1);
		await sessions.rename(store, p1, unsent, 'Trip notes 🧳');
		await sessions.send(store, p1, synced, 'already on the server');
		await store.outbox.confirm(sessionDoc(synced), store.outbox.version());
		// Written "offline": never confirmed by the server.
		await sessions.send(store, p1, unsent, 'written on the train');
		// Another device deletes both sessions; its change arrives from the server.
		const project = await store.open(projectDoc(p1));
		const elsewhere = new Y.Doc();
		Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(project));
		const before = Y.encodeStateVector(elsewhere);
		shapes.deleteSession(elsewhere, unsent, 1);
		shapes.deleteSession(elsewhere, synced, 1);
		Y.applyUpdate(project, Y.encodeStateAsUpdate(elsewhere, before), server);
		await store.flush();
		store.release(projectDoc(p1));
		expect(lost).toEqual([[{ kind: 'session', name: 'Trip notes 🧳' }]]);
		expect(lostWorkMessage(lost[0]![0]!)).toBe(
			'The session “Trip notes 🧳” was deleted on another device. Changes made to it on this device that had not reached the server were discarded.'
		);
	});

	it('[LS16] deleting here, or a project the server says was deleted, is told only when work was unsent', async () => {
		const { store } = openStore();
		const lost: LostWork[][] = [];
		store.onLostWork((items) => lost.push(items));
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await newSession(store, p1);
		await sessions.send(store, p1, s1, 'unsent');
		// The person deletes it on this device: they chose to, nothing to tell.
		await sessions.remove(store, p1, s1);
		expect(lost).toEqual([]);
		const p2 = await projects.create(store, 'Beta');
		const s2 = await newSession(store, p2);
		await sessions.send(store, p2, s2, 'unsent too');
		const p3 = await projects.create(store, 'Gamma');
		await store.outbox.confirm(accountDoc, store.outbox.version());
		await store.outbox.confirm(projectDoc(p3), store.outbox.version());
		// Catch-up learns from the server that both projects were deleted elsewhere.
		await store.purge(projectDoc(p2), { serverKnows: true });
		await store.purge(projectDoc(p3), { serverKnows: true });
		expect(lost).toEqual([[{ kind: 'project', name: 'Beta' }]]);
	});

	it('[LS4] deleting a project removes its sessions, messages and documents', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const p2 = await projects.create(store, 'Beta');
		const s1 = await newSession(store, p1);
		await sessions.send(store, p1, s1, 'hello');
		const s3 = await newSession(store, p2);
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
		const s1 = await newSession(store, p1);
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

	it('[LS5] a big document has its newest updates folded, a bounded piece at a time, never all of it', async () => {
		// Whole compaction only under 4 KB: this document is over it, so each write folds at most
		// 1 KB of its newest updates.
		const { db, store } = openStore(undefined, 10, 4096);
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await newSession(store, p1);
		const doc = await store.open(sessionDoc(s1));
		const stored = () => db.updates.where('docName').equals(sessionDoc(s1)).toArray();
		// Big pieces, as an import stores them: each over the fold's budget, so never folded.
		for (let i = 0; i < 12; i++) {
			shapes.draft(doc).insert(shapes.draft(doc).length, `${i}${'😀'.repeat(400)}`);
			await store.flush();
		}
		const big = (await stored()).filter((row) => row.data.byteLength > 1024);
		expect(big).toHaveLength(12);
		// Then many small edits: folded into pieces of at most about 1 KB, the big ones untouched.
		for (let i = 0; i < 80; i++) {
			shapes.draft(doc).insert(shapes.draft(doc).length, 'é');
			await store.flush();
		}
		const rows = await stored();
		expect(rows.length).toBeLessThanOrEqual(12 + 10);
		expect(rows.filter((row) => row.data.byteLength > 1024).map((row) => row.id)).toEqual(
			big.map((row) => row.id)
		);
		store.release(sessionDoc(s1));
		await store.flush();
		const again = openStore(db.name);
		const reopened = await again.store.open(sessionDoc(s1));
		expect(shapes.draft(reopened).toString()).toBe(shapes.draft(doc).toString());
		expect(shapes.draft(reopened).toString().endsWith('é'.repeat(80))).toBe(true);
	});

	it('[LS6] the draft is part of the session document and survives reopening', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await newSession(store, p1);
		const doc = await store.open(sessionDoc(s1));
		shapes.replaceText(shapes.draft(doc), 'half-written thought');
		store.release(sessionDoc(s1));
		await store.flush();
		const second = openStore(db.name);
		const reopened = await second.store.open(sessionDoc(s1));
		expect(shapes.draft(reopened).toString()).toBe('half-written thought');
	});

	it('[LS7] a local change is pending, with a stored mark, until the server confirms a newer version', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		expect(await store.outbox.pendingDocs()).toEqual([accountDoc]);
		expect((await db.dirty.toArray()).map((m) => m.docName)).toEqual([accountDoc]);
		// An update from the server (a registered remote origin) makes nothing pending.
		const server = {};
		store.addRemoteOrigin(server);
		const project = await store.open(projectDoc(p1));
		const elsewhere = new Y.Doc();
		shapes.projectInfo(elsewhere).insert(0, 'from the server');
		Y.applyUpdate(project, Y.encodeStateAsUpdate(elsewhere), server);
		await store.flush();
		expect(shapes.projectInfo(project).toString()).toBe('from the server');
		expect(await db.updates.where('docName').equals(projectDoc(p1)).count()).toBe(1);
		expect(await store.outbox.pendingDocs()).toEqual([accountDoc]);
		await store.outbox.confirm(accountDoc, store.outbox.version());
		expect(await store.outbox.pendingDocs()).toEqual([]);
		expect(await db.dirty.count()).toBe(0);
		expect(store.outbox.state.docs).toBe(0);
		// A confirmation taken before a change does not clear it.
		const before = store.outbox.version();
		shapes.projectInfo(project).insert(0, 'local ');
		await store.flush();
		await store.outbox.confirm(projectDoc(p1), before);
		expect(await store.outbox.pendingDocs()).toEqual([projectDoc(p1)]);
		store.release(projectDoc(p1));
	});

	it('[LS7] a confirmation that arrives before IndexedDB committed the change leaves no stale mark', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		await store.outbox.confirm(accountDoc, store.outbox.version());
		const project = await store.open(projectDoc(p1));
		shapes.projectInfo(project).insert(0, 'typed');
		// The server's ack beats the local write: confirmed before the transaction ran.
		const confirmed = store.outbox.confirm(projectDoc(p1), store.outbox.version());
		await store.flush();
		await confirmed;
		expect(await db.dirty.count()).toBe(0);
		expect(await store.outbox.pendingDocs()).toEqual([]);
		store.release(projectDoc(p1));
	});

	it('[LS10] deleting a session folds the project history, so its titles are stored nowhere', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await newSession(store, p1);
		const s2 = await newSession(store, p1);
		await sessions.send(store, p1, s1, 'Secret first line 🙂 שלום');
		await sessions.rename(store, p1, s1, 'Renamed secret é');
		await sessions.rename(store, p1, s1, 'Second secret name');
		await sessions.send(store, p1, s2, 'Kept title');
		expect(await storedAnywhere(db, 'Secret first line 🙂 שלום')).toBe(true);
		await sessions.remove(store, p1, s1);
		for (const gone of ['Secret first line', 'Renamed secret é', 'Second secret name']) {
			expect(await storedAnywhere(db, gone)).toBe(false);
		}
		expect(await storedAnywhere(db, 'Kept title')).toBe(true);
		expect(await db.updates.where('docName').equals(projectDoc(p1)).count()).toBe(1);
	});

	it('[LS10] deleting a project folds the account history, so its name is stored nowhere', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Secret project ✨');
		await projects.rename(store, p1, 'Secret renamed project');
		const p2 = await projects.create(store, 'Kept project');
		await projects.setInfo(store, p1, 'Secret information');
		const s1 = await newSession(store, p1);
		await sessions.send(store, p1, s1, 'Secret message');
		await projects.remove(store, p1);
		for (const gone of [
			'Secret project ✨',
			'Secret renamed project',
			'Secret information',
			'Secret message'
		]) {
			expect(await storedAnywhere(db, gone)).toBe(false);
		}
		expect((await db.projects.toArray()).map((p) => p.id)).toEqual([p2]);
	});

	it('[FS6] deleting a workspace file folds the project history, so its text is stored nowhere', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		await store.change(projectDoc(p1), (doc) => {
			writeFile(doc, 'kept.md', 'Kept file text');
			writeFile(doc, 'secret.md', 'Secret file text 🙂 שלום');
		});
		expect(await storedAnywhere(db, 'Secret file text')).toBe(true);
		await store.change(projectDoc(p1), (doc) => deleteFile(doc, 'secret.md'));
		expect(await storedAnywhere(db, 'Secret file text')).toBe(false);
		expect(await storedAnywhere(db, 'Kept file text')).toBe(true);
		expect(await db.updates.where('docName').equals(projectDoc(p1)).count()).toBe(1);
	});

	it('[LS11] a new session is open and held at once, and stored with its index entry right after', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const project = await store.open(projectDoc(p1));
		const created = sessions.create(store, p1);
		// No await: the document is there synchronously, and the index already lists it.
		const doc = store.hold(sessionDoc(created.id));
		expect(doc && shapes.sessionMeta(doc).get('projectId')).toBe(p1);
		expect(shapes.sessions(project).has(created.id)).toBe(true);
		created.release();
		await created.saved;
		expect((await db.sessions.get(created.id))?.projectId).toBe(p1);
		expect(await db.updates.where('docName').equals(sessionDoc(created.id)).count()).toBe(1);
		store.release(sessionDoc(created.id));
		store.release(projectDoc(p1));
	});

	it('[LS2] destroying the store cancels the retry of a failed write', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		let attempts = 0;
		db.updates.bulkAdd = (() => {
			attempts++;
			return Promise.reject(new Error('QuotaExceededError'));
		}) as unknown as typeof db.updates.bulkAdd;
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		try {
			const account = await store.open(accountDoc);
			shapes.renameProject(account, p1, 'Renamed');
			await expect.poll(() => attempts).toBe(1);
			expect(vi.getTimerCount()).toBe(1);
			store.destroy();
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});

	it('rejects empty names and empty messages with a message, storing nothing', async () => {
		const { db, store } = openStore();
		await expect(projects.create(store, '   ')).rejects.toThrow('Project name cannot be empty.');
		expect(await db.projects.count()).toBe(0);
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await newSession(store, p1);
		await expect(sessions.rename(store, p1, s1, '')).rejects.toThrow(
			'Session name cannot be empty.'
		);
		await expect(sessions.send(store, p1, s1, ' \n ')).rejects.toThrow('Message is empty.');
		expect(await db.messages.count()).toBe(0);
	});

	it('stores a 1 MB message whole', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		const s1 = await newSession(store, p1);
		const big = 'ab'.repeat(512 * 1024);
		await sessions.send(store, p1, s1, big);
		const rows = await db.messages.where('sessionId').equals(s1).toArray();
		expect(rows[0]?.text.length).toBe(big.length);
	});

	it('[LS12] a local edit is "saving" until its IndexedDB transaction committed, never before', async () => {
		const { db, store } = openStore();
		const p1 = await projects.create(store, 'Alpha');
		expect(store.saveState).toBe('saved');
		// Hold the write inside its transaction until the test lets it go.
		const realBulkAdd = db.updates.bulkAdd.bind(db.updates);
		let letGo!: () => void;
		const held = new Promise<void>((resolve) => (letGo = resolve));
		let entered!: () => void;
		const writing = new Promise<void>((resolve) => (entered = resolve));
		db.updates.bulkAdd = (async (...args: Parameters<typeof realBulkAdd>) => {
			entered();
			await held;
			return realBulkAdd(...args);
		}) as typeof db.updates.bulkAdd;
		const seen: string[] = [];
		const stored: (string | undefined)[] = [];
		store.onSaveState((state) => {
			seen.push(state);
			// Read what is committed at the moment the state says so.
			if (state === 'saved') void db.projects.get(p1).then((p) => stored.push(p?.name));
		});
		const account = await store.open(accountDoc);
		shapes.renameProject(account, p1, 'Renamed');
		expect(store.saveState).toBe('saving');
		await writing;
		expect(store.saveState).toBe('saving');
		letGo();
		await store.flush();
		expect(store.saveState).toBe('saved');
		expect(seen).toEqual(['saving', 'saved']);
		await expect.poll(() => stored).toEqual(['Renamed']);
		// Updates from the server are not the person's edits: nothing to show as saving.
		const server = {};
		store.addRemoteOrigin(server);
		const elsewhere = new Y.Doc();
		Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(account));
		shapes.renameProject(elsewhere, p1, 'From the server');
		Y.applyUpdate(account, Y.encodeStateAsUpdate(elsewhere), server);
		expect(store.saveState).toBe('saved');
		await store.flush();
		store.release(accountDoc);
	});

	it('[LS13] storage full: the edit stays in memory and pending for sync, is reported, and lands once space returns', async () => {
		const errors: unknown[] = [];
		const db = new TetherDb(`test-${++counter}`);
		const store = new DocStore(db, { onError: (error) => errors.push(error) });
		opened.push({ db, store });
		const p1 = await projects.create(store, 'Alpha');
		await store.outbox.confirm(accountDoc, store.outbox.version());
		const realBulkAdd = db.updates.bulkAdd.bind(db.updates);
		let full = true;
		db.updates.bulkAdd = ((...args: Parameters<typeof realBulkAdd>) =>
			full
				? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
				: realBulkAdd(...args)) as typeof db.updates.bulkAdd;
		const account = await store.open(accountDoc);
		shapes.renameProject(account, p1, 'Renamed');
		await store.flush();
		expect(store.saveState).toBe('failing');
		expect(errors).toHaveLength(1);
		expect(isQuotaExceeded(errors[0])).toBe(true);
		// Nothing was stored, but the edit is in the document sync sends and in the outbox.
		expect((await db.projects.get(p1))?.name).toBe('Alpha');
		expect(projection.projectRows(account).rows.find((p) => p.id === p1)?.name).toBe('Renamed');
		expect(await store.outbox.pendingDocs()).toEqual([accountDoc]);
		// The server confirms it: nothing is pending any more, even though the device lacks it.
		await store.outbox.confirm(accountDoc, store.outbox.version());
		expect(store.outbox.state.docs).toBe(0);
		// Space comes back: the retry stores it and the edit is saved here too.
		full = false;
		await expect.poll(() => store.saveState, { timeout: 5000 }).toBe('saved');
		expect((await db.projects.get(p1))?.name).toBe('Renamed');
		store.release(accountDoc);
	});
});
