import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, type Accounts } from './accounts.js';
import { createPostgresAccounts } from './accounts-postgres.js';
import { createPostgresStorage, openPostgres } from '../storage/postgres.js';
import { startPostgres } from '../../tests/server/services.js';
import type pg from 'pg';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDb() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-accounts-'));
	dirs.push(dir);
	const file = path.join(dir, 'tether.db');
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	return { db, dir, file };
}

const secret = 's'.repeat(43);
const keyA = 'sk-ant-test-acct-a';
const keyB = 'sk-ant-test-acct-b';

// The same contract on SQLite (the default) and on a real PostgreSQL (DATABASE_URL).
let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
const pools: pg.Pool[] = [];
beforeAll(async () => {
	postgres = await startPostgres();
	// Migrations create the tables.
	await (await createPostgresStorage(openPostgres(postgres.url, 1))).close();
}, 60_000);
afterAll(async () => {
	for (const pool of pools.splice(0)) await pool.end();
	await postgres?.stop();
});

/** A fresh, empty account store of each kind; stores made by one call share their database. */
type Fresh = () => Promise<(secret: string) => Accounts>;
const kinds: Array<[string, Fresh]> = [
	[
		'sqlite',
		async () => {
			const { db } = tempDb();
			return (s) => createAccounts(db, s);
		}
	],
	[
		'postgres',
		async () => {
			const pool = openPostgres(postgres!.url, 2);
			pools.push(pool);
			await pool.query('TRUNCATE auth_accounts');
			return (s) => createPostgresAccounts(pool, s);
		}
	]
];

describe.each(kinds)('the %s accounts', (_name, fresh) => {
	it('[AU2] the same key always finds the same random account; another key another one', async () => {
		const accounts = (await fresh())(secret);
		const a = await accounts.findOrCreate(keyA);
		expect(a.created).toBe(true);
		expect(a.accountId).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(await accounts.findOrCreate(keyA)).toEqual({ accountId: a.accountId, created: false });
		expect((await accounts.findOrCreate(keyB)).accountId).not.toBe(a.accountId);
		expect(await accounts.find(keyA)).toBe(a.accountId);
		expect(await accounts.find('sk-ant-test-never-seen')).toBeNull();
		expect(await accounts.count()).toBe(2);
	});

	it('[AU2] account ids are random, not derived from the key: a new database gives a new id', async () => {
		const one = (await (await fresh())(secret).findOrCreate(keyA)).accountId;
		const two = (await (await fresh())(secret).findOrCreate(keyA)).accountId;
		expect(one).not.toBe(two);
	});

	it('[AU2] the mapping depends on the secret: another secret does not find the account', async () => {
		const make = await fresh();
		await make(secret).findOrCreate(keyA);
		expect(await make('t'.repeat(43)).find(keyA)).toBeNull();
	});

	it('[AU2] the same new key signed in on two instances at once gets one account', async () => {
		const make = await fresh();
		const [one, two] = await Promise.all([
			make(secret).findOrCreate(keyA),
			make(secret).findOrCreate(keyA)
		]);
		expect(one.accountId).toBe(two.accountId);
		expect([one.created, two.created].sort()).toEqual([false, true]);
	});
});

describe('the sqlite accounts file', () => {
	it('[AU1] the raw key is nowhere in the database files, WAL included', async () => {
		const { db, dir } = tempDb();
		await createAccounts(db, secret).findOrCreate(keyA);
		const canary = keyA.slice('sk-ant-'.length);
		for (const name of fs.readdirSync(dir)) {
			expect(fs.readFileSync(path.join(dir, name)).includes(canary), name).toBe(false);
		}
		db.close();
	});
});
