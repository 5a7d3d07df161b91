import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/**
 * API key -> account. The key itself is never stored: only HMAC-SHA256(secret, key), which
 * finds the same random account id on every device that signs in with the same key and is
 * useless without the secret.
 */
export interface Accounts {
	/** The account for a key the API has just accepted; created on first sign-in. */
	findOrCreate(apiKey: string): Promise<{ accountId: string; created: boolean }>;
	/** The account for a key, without creating one. */
	find(apiKey: string): Promise<string | null>;
	count(): Promise<number>;
}

/** HMAC-SHA256(secret, key), base64url: what the account tables store instead of the key. */
export function keyHmacWith(secret: string): (apiKey: string) => string {
	return (apiKey) => createHmac('sha256', secret).update(apiKey, 'utf8').digest('base64url');
}

const schema = `
CREATE TABLE IF NOT EXISTS auth_accounts (
	key_hmac TEXT PRIMARY KEY,
	account_id TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	last_sign_in_at INTEGER NOT NULL
);
`;

/** 16 random bytes: unguessable, and base64url so it is safe in doc keys, tokens and paths. */
export const newAccountId = () => randomBytes(16).toString('base64url');

export function createAccounts(db: Database, secret: string, now = Date.now): Accounts {
	db.exec(schema);
	const keyHmac = keyHmacWith(secret);
	const select = db.prepare<[string], { account_id: string }>(
		'SELECT account_id FROM auth_accounts WHERE key_hmac = ?'
	);
	const insert = db.prepare<[string, string, number, number]>(
		'INSERT INTO auth_accounts (key_hmac, account_id, created_at, last_sign_in_at) VALUES (?, ?, ?, ?)'
	);
	const touch = db.prepare<[number, string]>(
		'UPDATE auth_accounts SET last_sign_in_at = ? WHERE key_hmac = ?'
	);
	const total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_accounts');
	// One transaction: two devices signing in at once with a new key get one account.
	const findOrCreate = db.transaction((hmac: string) => {
		const at = now();
		const row = select.get(hmac);
		if (row) {
			touch.run(at, hmac);
			return { accountId: row.account_id, created: false };
		}
		const accountId = newAccountId();
		insert.run(hmac, accountId, at, at);
		return { accountId, created: true };
	});

	return {
		findOrCreate: async (apiKey) => findOrCreate.immediate(keyHmac(apiKey)),
		find: async (apiKey) => select.get(keyHmac(apiKey))?.account_id ?? null,
		count: async () => total.get()?.n ?? 0
	};
}
