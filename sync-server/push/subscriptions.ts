import type { Database } from 'better-sqlite3';

/** A browser's push subscription, as `PushSubscription.toJSON()` gives it. */
export interface PushTarget {
	endpoint: string;
	keys: { p256dh: string; auth: string };
}

/** Devices one account may register; the oldest goes when a new one comes. */
export const maxSubscriptionsPerAccount = 20;

const schema = `
CREATE TABLE IF NOT EXISTS push_subscriptions (
	endpoint TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	p256dh TEXT NOT NULL,
	auth TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS push_subscriptions_account ON push_subscriptions (account_id, created_at);
`;

/**
 * Each account's devices that asked for notifications (ids and keys only, never content). The
 * same contract in SQLite (here) and PostgreSQL (postgres-store.ts); `store.spec.ts` runs it on both.
 */
export interface Subscriptions {
	/** Registers the device (again); beyond `maxSubscriptionsPerAccount` the oldest goes. */
	add(accountId: string, target: PushTarget): Promise<void>;
	/** Forgets the device; nothing happens when it is not there. */
	remove(accountId: string, endpoint: string): Promise<void>;
	of(accountId: string): Promise<PushTarget[]>;
}

export function sqliteSubscriptions(db: Database, now = Date.now): Subscriptions {
	db.exec(schema);
	const upsert = db.prepare<[string, string, string, string, number]>(
		`INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, created_at)
		 VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id,
		   p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`
	);
	const trim = db.prepare<[string, string, number]>(
		`DELETE FROM push_subscriptions WHERE account_id = ? AND endpoint IN (
		   SELECT endpoint FROM push_subscriptions WHERE account_id = ?
		   ORDER BY created_at DESC, endpoint LIMIT -1 OFFSET ?)`
	);
	const remove = db.prepare<[string, string]>(
		'DELETE FROM push_subscriptions WHERE account_id = ? AND endpoint = ?'
	);
	const list = db.prepare<[string], { endpoint: string; p256dh: string; auth: string }>(
		'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = ?'
	);
	return {
		async add(accountId, target) {
			db.transaction(() => {
				upsert.run(target.endpoint, accountId, target.keys.p256dh, target.keys.auth, now());
				trim.run(accountId, accountId, maxSubscriptionsPerAccount);
			})();
		},
		async remove(accountId, endpoint) {
			remove.run(accountId, endpoint);
		},
		async of(accountId) {
			return list
				.all(accountId)
				.map((row) => ({ endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth } }));
		}
	};
}
