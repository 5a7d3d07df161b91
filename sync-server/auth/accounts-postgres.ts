import type pg from 'pg';
import { keyHmacWith, newAccountId, type Accounts } from './accounts.js';

/**
 * Accounts in PostgreSQL (the auth_accounts table of postgres-schema.ts), shared by every
 * instance: a key signs in to the same account whichever instance it reaches, provided all of
 * them have the same TETHER_SECRET.
 */
export function createPostgresAccounts(pool: pg.Pool, secret: string, now = Date.now): Accounts {
	const keyHmac = keyHmacWith(secret);
	return {
		async findOrCreate(apiKey) {
			const at = now();
			// One statement: two instances signing in a new key at once get one account. xmax is 0
			// only for a row this statement inserted.
			const { rows } = await pool.query<{ account_id: string; created: boolean }>(
				`INSERT INTO auth_accounts (key_hmac, account_id, created_at, last_sign_in_at)
				 VALUES ($1, $2, $3, $3)
				 ON CONFLICT (key_hmac) DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at
				 RETURNING account_id, (xmax = 0) AS created`,
				[keyHmac(apiKey), newAccountId(), at]
			);
			const row = rows[0]!;
			return { accountId: row.account_id, created: row.created };
		},
		async find(apiKey) {
			const { rows } = await pool.query<{ account_id: string }>(
				'SELECT account_id FROM auth_accounts WHERE key_hmac = $1',
				[keyHmac(apiKey)]
			);
			return rows[0]?.account_id ?? null;
		},
		async count() {
			const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM auth_accounts');
			return Number(rows[0]?.n ?? 0);
		}
	};
}
