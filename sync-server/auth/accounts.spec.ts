import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccounts } from './accounts.js';

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

describe('accounts', () => {
	it('[AU2] the same key always finds the same random account; another key another one', () => {
		const { db } = tempDb();
		const accounts = createAccounts(db, secret);
		const a = accounts.findOrCreate(keyA);
		expect(a.created).toBe(true);
		expect(a.accountId).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(accounts.findOrCreate(keyA)).toEqual({ accountId: a.accountId, created: false });
		expect(accounts.findOrCreate(keyB).accountId).not.toBe(a.accountId);
		expect(accounts.find(keyA)).toBe(a.accountId);
		expect(accounts.find('sk-ant-test-never-seen')).toBeNull();
		expect(accounts.count()).toBe(2);
	});

	it('[AU2] account ids are random, not derived from the key: a new database gives a new id', () => {
		const one = createAccounts(tempDb().db, secret).findOrCreate(keyA).accountId;
		const two = createAccounts(tempDb().db, secret).findOrCreate(keyA).accountId;
		expect(one).not.toBe(two);
	});

	it('[AU2] the mapping depends on the secret: another secret does not find the account', () => {
		const { db } = tempDb();
		createAccounts(db, secret).findOrCreate(keyA);
		expect(createAccounts(db, 't'.repeat(43)).find(keyA)).toBeNull();
	});

	it('[AU1] the raw key is nowhere in the database files, WAL included', () => {
		const { db, dir } = tempDb();
		createAccounts(db, secret).findOrCreate(keyA);
		const canary = keyA.slice('sk-ant-'.length);
		for (const name of fs.readdirSync(dir)) {
			expect(fs.readFileSync(path.join(dir, name)).includes(canary), name).toBe(false);
		}
		db.close();
	});
});
