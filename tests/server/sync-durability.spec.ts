import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProvider } from '../../src/lib/sync/provider.js';
import { startTether, waitFor, type TetherServer } from './harness.js';
import { connect, signIn, text, type Account } from './sync-client.js';
import { writer } from './soak/kill.js';
import { seeded } from '../lib/seeded.js';

let server: TetherServer;
let alice: Account;
/** Its edits were all acknowledged before the crash; it is gone afterwards (R3). */
let acked: { text: string };
/** Had an edit in flight at the crash and made another while the server was down (R2). */
let survivor: SyncProvider;
/** Stays connected while the database is later restored from a copy taken at the crash (R4). */
let witness: SyncProvider;
/** That copy of DATA_DIR. */
let backup: string;

// One crash serves both scenarios: a restart costs seconds.
beforeAll(async () => {
	server = await startTether();
	alice = await signIn(server, 'alice');

	const device = connect(server, alice, 'session.durable');
	survivor = connect(server, alice, 'session.resent');
	witness = connect(server, alice, 'session.backup');
	await Promise.all([device.whenSynced, survivor.whenSynced, witness.whenSynced]);
	for (let i = 0; i < 20; i++) device.doc.getText('t').insert(0, `${i};`);
	survivor.doc.getText('t').insert(0, 'before. ');
	witness.doc.getText('t').insert(0, 'in the backup. ');
	await waitFor(() => [device, survivor, witness].every((p) => p.status === 'synced'), {
		message: 'every edit acknowledged'
	});
	acked = { text: text(device.doc) };
	device.destroy();

	survivor.doc.getText('t').insert(0, 'in flight. ');
	await server.kill9();
	backup = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-backup-'));
	copyDir(server.dataDir, backup);
	await waitFor(() => survivor.status === 'offline' || survivor.status === 'connecting', {
		message: 'the device to notice'
	});
	survivor.doc.getText('t').insert(0, 'offline. ');
	await server.restart();
});
afterAll(async () => {
	survivor?.destroy();
	witness?.destroy();
	await server?.close();
	if (backup) fs.rmSync(backup, { recursive: true, force: true });
});

function copyDir(from: string, to: string): void {
	for (const file of fs.readdirSync(from))
		fs.copyFileSync(path.join(from, file), path.join(to, file));
}

/** What a brand-new device gets from the server alone. */
async function fresh(docName: `session.${string}`): Promise<Y.Doc> {
	const doc = new Y.Doc();
	const provider = connect(server, alice, docName, doc, { awareness: null });
	await provider.whenSynced;
	provider.destroy();
	return doc;
}

describe('[SY] durability across kill -9', () => {
	it('[SY11] everything acknowledged as stored is there after kill -9, even with the sender gone (R3)', async () => {
		expect(text(await fresh('session.durable'))).toBe(acked.text);
	});

	it('[SY12] updates the server never stored are kept by the client and re-sent after restart (R2)', async () => {
		await waitFor(() => survivor.status === 'synced', {
			timeoutMs: 10_000,
			message: 'the device to reconnect and have everything stored'
		});
		expect(survivor.unsyncedCount).toBe(0);
		const expected = text(survivor.doc);
		expect(expected).toContain('in flight. ');
		expect(expected).toContain('offline. ');
		expect(text(await fresh('session.resent'))).toBe(expected);
	});
});

describe('[SY] restoring an older backup', () => {
	it('[SY13] a server restored from an older backup gets the lost tail back from clients, without duplicates (R4)', async () => {
		const { cursor } = (await server.request('GET', '/api/changes?since=0', { token: alice.token }))
			.body as { cursor: number };
		witness.doc.getText('t').insert(0, 'after the backup. ');
		await waitFor(() => witness.status === 'synced', { message: 'the tail stored' });

		// Disaster: the database goes back to the copy taken at the crash.
		await server.kill9();
		for (const file of fs.readdirSync(server.dataDir)) fs.rmSync(path.join(server.dataDir, file));
		copyDir(backup, server.dataDir);
		await server.restart();

		await waitFor(() => witness.status === 'synced', {
			timeoutMs: 10_000,
			message: 'the device to reconnect'
		});
		const restored = await fresh('session.backup');
		expect(text(restored)).toBe('after the backup. in the backup. ');
		expect(text(restored)).toBe(text(witness.doc));
		// A cursor the restored server never issued is answered with everything.
		const changes = await server.request('GET', `/api/changes?since=${cursor}`, {
			token: alice.token
		});
		expect((changes.body as { changed: string[] }).changed).toContain('session.backup');
	});
});

const crashSeed = Number(process.env.SYNC_SEED ?? 20240607);

describe('[SY] kill -9 at random moments while clients write', () => {
	it(`[SY11] [SY12] nothing acknowledged is lost and every replica converges (seed ${crashSeed})`, async () => {
		const random = seeded(crashSeed);
		const docName = 'session.crashes';
		const stayers = [writer(server, alice, 'a', docName), writer(server, alice, 'b', docName)];
		const acknowledged = new Set<string>();
		const aloneAcknowledged: string[][] = [];
		for (let round = 0; round < 3; round++) {
			// Devices that write, then disappear with the server: what was confirmed to them must
			// stay. One shares the document (the others also hold its items); the other is alone,
			// so only the server's disk can give its items back.
			const leaver = writer(server, alice, `gone${round}`, docName);
			const alone = writer(server, alice, `alone${round}`, `session.alone${round}`);
			await Promise.all([leaver.ready, alone.ready]);
			// The crash comes once a seeded number of the lone writer's items are confirmed, with
			// more in flight behind them: a moment picked by count, not by a fixed time.
			const target = 5 + Math.floor(random() * 60);
			await waitFor(() => alone.acknowledged().length >= target, {
				timeoutMs: 10_000,
				message: 'the writers to write'
			});
			for (const w of [leaver, ...stayers])
				for (const item of w.acknowledged()) acknowledged.add(item);
			aloneAcknowledged.push(alone.acknowledged());
			await server.kill9();
			for (const w of [leaver, alone]) {
				w.stop();
				w.provider.destroy();
			}
			// The others keep writing while the server is down, and into the restart.
			await server.restart();
			await waitFor(() => stayers.every((w) => w.provider.status !== 'offline'), {
				timeoutMs: 10_000,
				message: `writers reconnecting (seed ${crashSeed}, round ${round})`
			});
		}
		for (const w of stayers) w.stop();
		await waitFor(() => stayers.every((w) => w.provider.status === 'synced'), {
			timeoutMs: 15_000,
			message: `every writer synced (seed ${crashSeed})`
		});
		for (const w of stayers) for (const item of w.acknowledged()) acknowledged.add(item);
		const replica = await fresh(docName);
		const stored = new Set(replica.getArray<string>('items').toArray());
		const lost = [...acknowledged].filter((item) => !stored.has(item));
		expect(lost, `seed ${crashSeed}`).toEqual([]);
		expect(acknowledged.size).toBeGreaterThan(0);
		for (const [round, items] of aloneAcknowledged.entries()) {
			const alone = (await fresh(`session.alone${round}`)).getArray<string>('items').toArray();
			expect(items.length, `round ${round}`).toBeGreaterThan(0);
			expect(alone.slice(0, items.length), `seed ${crashSeed}, round ${round}`).toEqual(items);
		}
		for (const w of stayers) {
			expect(w.provider.doc.getArray('items').toArray(), `seed ${crashSeed}`).toEqual(
				replica.getArray('items').toArray()
			);
			expect(Y.encodeStateVector(w.provider.doc)).toEqual(Y.encodeStateVector(replica));
			w.provider.destroy();
		}
	}, 60_000);
});
