import type pg from 'pg';
import webpush from 'web-push';
import { inTransaction } from '../storage/pg-transaction.js';
import type { PushStore } from './store.js';
import { maxSubscriptionsPerAccount, type PushTarget } from './subscriptions.js';
import type { VapidKeys } from './vapid.js';

/**
 * Web Push state in PostgreSQL (push_vapid and push_subscriptions of postgres-schema.ts), shared
 * by every instance: one VAPID key pair for all of them, and every device reachable from any.
 */
export function postgresPushStore(pool: pg.Pool, now = Date.now): PushStore {
	return {
		async vapidKeys() {
			// Every instance offers a fresh pair; the first INSERT wins and all of them read it back.
			const offered = webpush.generateVAPIDKeys();
			await pool.query(
				`INSERT INTO push_vapid (id, public_key, private_key, created_at) VALUES (1, $1, $2, $3)
				 ON CONFLICT (id) DO NOTHING`,
				[offered.publicKey, offered.privateKey, now()]
			);
			const { rows } = await pool.query<{ public_key: string; private_key: string }>(
				'SELECT public_key, private_key FROM push_vapid WHERE id = 1'
			);
			const row = rows[0];
			if (!row) throw new Error('the VAPID key pair is missing from push_vapid');
			return { publicKey: row.public_key, privateKey: row.private_key } satisfies VapidKeys;
		},
		subscriptions: {
			async add(accountId, target) {
				await inTransaction(pool, async (client) => {
					// One account's registrations in turn, so the trim below counts what it keeps.
					await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [
						`push:${accountId}`
					]);
					await client.query(
						`INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, created_at)
						 VALUES ($1, $2, $3, $4, $5)
						 ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id,
						   p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
						[target.endpoint, accountId, target.keys.p256dh, target.keys.auth, now()]
					);
					await client.query(
						`DELETE FROM push_subscriptions WHERE account_id = $1 AND endpoint IN (
						   SELECT endpoint FROM push_subscriptions WHERE account_id = $1
						   ORDER BY created_at DESC, endpoint OFFSET $2)`,
						[accountId, maxSubscriptionsPerAccount]
					);
				});
			},
			async remove(accountId, endpoint) {
				await pool.query('DELETE FROM push_subscriptions WHERE account_id = $1 AND endpoint = $2', [
					accountId,
					endpoint
				]);
			},
			async of(accountId) {
				const { rows } = await pool.query<{ endpoint: string; p256dh: string; auth: string }>(
					'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = $1',
					[accountId]
				);
				return rows.map((row): PushTarget => ({
					endpoint: row.endpoint,
					keys: { p256dh: row.p256dh, auth: row.auth }
				}));
			}
		}
	};
}
