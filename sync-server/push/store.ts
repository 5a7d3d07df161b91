import type { Database } from 'better-sqlite3';
import { sqliteSubscriptions, type Subscriptions } from './subscriptions.js';
import { loadVapidKeys, type VapidKeys } from './vapid.js';

/**
 * Where Web Push keeps its state: the server's VAPID key pair and the devices' subscriptions.
 * One instance keeps them in DATA_DIR (the key file) and SQLite; several instances share them in
 * PostgreSQL (postgres-store.ts), so any instance signs with the same key and reaches every
 * device, whichever instance the device subscribed on ([IN7], [IN8]).
 */
export interface PushStore {
	/** The key pair, made on first use and kept: a new pair would silence every device. */
	vapidKeys(): Promise<VapidKeys>;
	subscriptions: Subscriptions;
}

export function sqlitePushStore(db: Database, dataDir: string, now = Date.now): PushStore {
	return {
		vapidKeys: async () => loadVapidKeys(dataDir),
		subscriptions: sqliteSubscriptions(db, now)
	};
}
