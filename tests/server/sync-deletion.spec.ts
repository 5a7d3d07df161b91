/**
 * R16 "Deletion purges": once a deletion is acknowledged, no byte of what was deleted is left in
 * any file of DATA_DIR, and none comes back after a restart or a kill -9. Real server process,
 * real y-websocket-protocol clients writing the documents through the shapes the app uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocName } from '../../src/lib/core/doc-names.js';
import { deleteFile, readFile, renameFile, writeFile } from '../../src/lib/core/files.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { startTether, waitFor, type TetherServer } from './harness.js';
import { connect, signIn, type Account } from './sync-client.js';
import type { SyncProvider } from '../../src/lib/sync/provider.js';

let server: TetherServer;

beforeAll(async () => {
	server = await startTether();
});
afterAll(() => server?.close());

/** A marker no other test writes, with emoji, a combining mark and right-to-left text. */
const marker = (what: string) => {
	const id = randomBytes(6).toString('hex');
	return `${id}-${what}-👩‍💻-é-שלום-مرحبا-${id}`;
};

/** Every file under DATA_DIR (database, -wal, -shm, secret, anything else). */
function dataFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? dataFiles(full) : [full];
	});
}

/**
 * The markers whose UTF-8 bytes appear in DATA_DIR: whole, or a head or tail long enough to be
 * unique (each carries its random id at both ends), so a marker cut in two is still seen.
 */
function found(markers: string[]): string[] {
	const files = dataFiles(server.dataDir).map((file) => fs.readFileSync(file));
	return markers.filter((m) => {
		const needles = [m, m.slice(0, 20), m.slice(-20)].map((s) => Buffer.from(s, 'utf8'));
		return files.some((bytes) => needles.some((needle) => bytes.includes(needle)));
	});
}

async function opened(account: Account, name: DocName): Promise<SyncProvider> {
	const provider = connect(server, account, name, new Y.Doc(), { awareness: null });
	await provider.whenSynced;
	return provider;
}

async function synced(...providers: SyncProvider[]): Promise<void> {
	await waitFor(() => providers.every((p) => p.status === 'synced'), {
		message: 'every change acknowledged'
	});
}

/** What a new device gets from the server alone. */
async function fresh(account: Account, name: DocName): Promise<Y.Doc> {
	const provider = await opened(account, name);
	provider.destroy();
	return provider.doc;
}

/** Writes a session the way the app does: index entry, first message (auto-title), draft. */
function writeSession(
	project: Y.Doc,
	session: Y.Doc,
	projectId: string,
	sessionId: string,
	text: { first: string; reply: string; draft: string }
): void {
	const now = Date.now();
	shapes.addSession(project, sessionId, now);
	shapes.initSession(session, projectId, now);
	shapes.appendMessage(session, { id: 'm1', role: 'user', text: text.first, createdAt: now });
	shapes.noteMessage(project, sessionId, text.first, now);
	shapes.appendMessage(session, { id: 'm2', role: 'assistant', text: text.reply, createdAt: now });
	shapes.draft(session).insert(0, text.draft);
}

async function expectGoneAcrossRestarts(markers: string[], check: () => Promise<void>) {
	expect(found(markers)).toEqual([]);
	await server.restart();
	expect(found(markers)).toEqual([]);
	await check();
	await server.kill9();
	await server.restart();
	expect(found(markers)).toEqual([]);
	await check();
}

// Each of the first two restarts the server twice; a loaded machine makes that slow.
describe('[SY] deletion purges (R16)', () => {
	it('[SY34] a deleted session leaves no byte of its titles, messages or draft in DATA_DIR, after a restart and after kill -9', async () => {
		const alice = await signIn(server, 'alice');
		const m = {
			first: marker('FIRST-MESSAGE'),
			reply: marker('REPLY'),
			draft: marker('DRAFT'),
			renamed: marker('RENAMED'),
			renamedAgain: marker('RENAMED-AGAIN')
		};
		const keep = marker('KEPT-TITLE');
		const project = await opened(alice, 'project.p1');
		const doomed = await opened(alice, 'session.doomed1');
		const kept = await opened(alice, 'session.kept1');
		writeSession(project.doc, doomed.doc, 'p1', 'doomed1', {
			first: `${m.first}\nsecond line`,
			reply: m.reply,
			draft: m.draft
		});
		shapes.renameSession(project.doc, 'doomed1', m.renamed);
		shapes.renameSession(project.doc, 'doomed1', m.renamedAgain);
		writeSession(project.doc, kept.doc, 'p1', 'kept1', { first: keep, reply: 'r', draft: '' });
		await synced(project, doomed, kept);
		const markers = Object.values(m);
		// The grep sees them while they exist (auto-title, both renames, messages, draft).
		expect(found(markers)).toEqual(markers);

		let fatal: string | undefined;
		doomed.destroy();
		const watcher = connect(server, alice, 'session.doomed1', new Y.Doc(), {
			onFatal: (reason) => (fatal = reason)
		});
		await watcher.whenSynced;
		// Only the project document records it: the server purges the session on its own.
		shapes.deleteSession(project.doc, 'doomed1', Date.now());
		await synced(project);
		await waitFor(() => fatal === 'deleted', { message: 'the session socket closed as deleted' });

		const survivorIntact = async () => {
			const doc = await fresh(alice, 'project.p1');
			expect(shapes.sessions(doc).get('kept1')?.get('autoTitle')).toBe(keep);
			expect([...shapes.sessions(doc).keys()]).toEqual(['kept1']);
			expect(shapes.deletedSessions(doc).has('doomed1')).toBe(true);
		};
		await survivorIntact();
		await expectGoneAcrossRestarts(markers, survivorIntact);
		await waitFor(() => project.status === 'synced', { message: 'the project to resync' });
		expect(found(markers)).toEqual([]);
		project.destroy();
		kept.destroy();
		watcher.destroy();
	}, 60_000);

	it('[SY35] a deleted project leaves no byte of its names, information or sessions in DATA_DIR, after a restart and after kill -9', async () => {
		const bob = await signIn(server, 'bob');
		const m = {
			name: marker('PROJECT-NAME'),
			renamed: marker('PROJECT-RENAMED'),
			info: marker('PROJECT-INFO'),
			first: marker('SESSION-FIRST'),
			title: marker('SESSION-TITLE'),
			reply: marker('SESSION-REPLY'),
			deletedEarlier: marker('DELETED-EARLIER')
		};
		const account = await opened(bob, 'account');
		const project = await opened(bob, 'project.p2');
		const session = await opened(bob, 'session.s2');
		const earlier = await opened(bob, 'session.s2old');
		shapes.addProject(account.doc, 'p2', m.name, Date.now());
		shapes.renameProject(account.doc, 'p2', m.renamed);
		shapes.addProject(account.doc, 'other', 'Other project', Date.now());
		shapes.projectInfo(project.doc).insert(0, m.info);
		writeSession(project.doc, session.doc, 'p2', 's2', {
			first: m.first,
			reply: m.reply,
			draft: ''
		});
		shapes.renameSession(project.doc, 's2', m.title);
		// A session deleted long ago whose document a client never asked the server to purge.
		writeSession(project.doc, earlier.doc, 'p2', 's2old', {
			first: m.deletedEarlier,
			reply: '',
			draft: ''
		});
		await synced(account, project, session, earlier);
		earlier.destroy();
		const markers = Object.values(m);
		expect(found(markers)).toEqual(markers);

		session.destroy();
		project.destroy();
		shapes.deleteProject(account.doc, 'p2', Date.now());
		await synced(account);

		const otherIntact = async () => {
			const doc = await fresh(bob, 'account');
			expect([...shapes.projects(doc).keys()]).toEqual(['other']);
			expect(shapes.deletedProjects(doc).has('p2')).toBe(true);
		};
		await otherIntact();
		await expectGoneAcrossRestarts(markers, otherIntact);
		const changes = await server.request('GET', '/api/changes?since=0', { token: bob.token });
		expect((changes.body as { deleted: string[] }).deleted.sort()).toEqual([
			'project.p2',
			'session.s2',
			'session.s2old'
		]);
		account.destroy();
	}, 60_000);

	it('[SY36] purging a project through the API purges every session it lists, live or deleted', async () => {
		const carol = await signIn(server, 'carol');
		const m = { live: marker('LIVE-SESSION'), gone: marker('GONE-SESSION') };
		const project = await opened(carol, 'project.p3');
		const live = await opened(carol, 'session.live3');
		const gone = await opened(carol, 'session.gone3');
		writeSession(project.doc, live.doc, 'p3', 'live3', { first: m.live, reply: '', draft: '' });
		writeSession(project.doc, gone.doc, 'p3', 'gone3', { first: m.gone, reply: '', draft: '' });
		await synced(project, live, gone);
		for (const p of [project, live, gone]) p.destroy();
		// The session document itself was never purged: only the index records the deletion.
		expect(found([m.live, m.gone])).toEqual([m.live, m.gone]);
		const res = await server.request('POST', '/api/docs/delete', {
			token: carol.token,
			body: { names: ['project.p3'] }
		});
		expect(res.status).toBe(200);
		expect(found([m.live, m.gone])).toEqual([]);
		const changes = await server.request('GET', '/api/changes?since=0', { token: carol.token });
		expect((changes.body as { deleted: string[] }).deleted.sort()).toEqual([
			'project.p3',
			'session.gone3',
			'session.live3'
		]);
	});

	it('[HD12] a 500-name delete, with others in parallel, leaves no byte of any of them; 501 names is refused with 413', async () => {
		const accounts = await Promise.all(['erin', 'frank', 'grace'].map((n) => signIn(server, n)));
		const written = new Map<Account, { names: DocName[]; markers: string[] }>();
		for (const account of accounts) {
			const names: DocName[] = [];
			const markers: string[] = [];
			for (let i = 0; i < 8; i++) {
				const name: DocName = `session.bulk${i}`;
				const m = marker(`BULK-${i}`);
				const provider = await opened(account, name);
				provider.doc.getText('t').insert(0, m);
				await synced(provider);
				provider.destroy();
				names.push(name);
				markers.push(m);
			}
			written.set(account, { names, markers });
		}
		const all = [...written.values()].flatMap((w) => w.markers);
		expect(found(all)).toEqual(all);
		// Each request also names documents never written, up to the limit.
		const filler = Array.from({ length: 492 }, (_, i): DocName => `session.none${i}`);
		const responses = await Promise.all(
			accounts.map((account) =>
				server.request('POST', '/api/docs/delete', {
					token: account.token,
					body: { names: [...written.get(account)!.names, ...filler] }
				})
			)
		);
		expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(found(all)).toEqual([]);
		const changes = await server.request('GET', '/api/changes?since=0', {
			token: accounts[0]!.token
		});
		expect((changes.body as { deleted: string[] }).deleted).toHaveLength(500);

		const tooMany = await server.request('POST', '/api/docs/delete', {
			token: accounts[0]!.token,
			body: { names: [...filler, ...Array.from({ length: 9 }, (_, i) => `session.more${i}`)] }
		});
		expect(tooMany.status).toBe(413);
		expect(tooMany.body).toMatchObject({ error: { code: 'too_many_names' } });
	}, 60_000);

	it('[SY37] a stale device renaming a deleted session stores no byte of the new title', async () => {
		const dave = await signIn(server, 'dave');
		const stale = marker('STALE-RENAME');
		const a = await opened(dave, 'project.p4');
		const b = await opened(dave, 'project.p4');
		shapes.addSession(a.doc, 's4', Date.now());
		await synced(a);
		await waitFor(() => shapes.sessions(b.doc).has('s4'), { message: 'the session on b' });
		b.disconnect();
		shapes.renameSession(b.doc, 's4', stale);
		shapes.deleteSession(a.doc, 's4', Date.now());
		await synced(a);
		b.connect();
		await synced(b);
		expect(shapes.sessions(b.doc).has('s4')).toBe(false);
		expect(found([stale])).toEqual([]);
		a.destroy();
		b.destroy();
	});

	it('[FS6] a deleted or renamed-away workspace file leaves no byte of its text in DATA_DIR', async () => {
		const carol = await signIn(server, 'carol');
		const m = { deleted: marker('FILE-DELETED'), moved: marker('FILE-MOVED') };
		const kept = marker('FILE-KEPT');
		const project = await opened(carol, 'project.files1');
		writeFile(project.doc, 'kept.md', kept);
		writeFile(project.doc, 'doomed.md', m.deleted);
		writeFile(project.doc, 'moved.md', m.moved);
		await synced(project);
		expect(found([...Object.values(m), kept])).toEqual([...Object.values(m), kept]);

		// The rename keeps the text under the new name; only the copy under the old one is history.
		renameFile(project.doc, 'moved.md', 'renamed.md');
		writeFile(project.doc, 'renamed.md', 'rewritten');
		deleteFile(project.doc, 'doomed.md');
		await synced(project);
		expect(found(Object.values(m))).toEqual([]);
		expect(found([kept])).toEqual([kept]);
		const doc = await fresh(carol, 'project.files1');
		expect(readFile(doc, 'renamed.md')).toBe('rewritten');
		expect(readFile(doc, 'doomed.md')).toBeUndefined();
		project.destroy();
	}, 60_000);
});
