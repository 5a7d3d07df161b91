import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { device } from '../../tests/lib/fake-push.js';
import { startPostgres } from '../../tests/server/services.js';
import { openDatabase } from '../storage/database.js';
import { openPostgres } from '../storage/postgres.js';
import { migrate } from '../storage/postgres-schema.js';
import { postgresPushStore } from './postgres-store.js';
import { sqlitePushStore, type PushStore } from './store.js';
import { maxSubscriptionsPerAccount } from './subscriptions.js';

// A real PostgreSQL from the Debian package; the suite fails (never skips) when it cannot start.
let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
beforeAll(async () => {
	postgres = await startPostgres();
}, 60_000);
afterAll(() => postgres?.stop());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Clock = () => number;

/** Stores that share their state the way two instances of one deployment would. */
interface Backend {
	/** An empty shared state; `store()` opens it once more, as another instance. */
	fresh(): Promise<{ store(now?: Clock): PushStore }>;
}

const sqlite: Backend = {
	async fresh() {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-push-store-'));
		cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
		const db = openDatabase(dir);
		cleanups.push(() => db.close());
		return { store: (now) => sqlitePushStore(db, dir, now) };
	}
};

const postgresBackend: Backend = {
	async fresh() {
		if (!postgres) throw new Error('PostgreSQL did not start');
		const url = postgres.url;
		const first = openPostgres(url, 2);
		cleanups.push(() => first.end());
		await migrate(first);
		await first.query('TRUNCATE push_vapid, push_subscriptions');
		let pool: pg.Pool | undefined = first;
		return {
			store(now) {
				// Every further store has its own pool: another instance.
				const own = pool ?? openPostgres(url, 2);
				if (!pool) cleanups.push(() => own.end());
				pool = undefined;
				return postgresPushStore(own, now);
			}
		};
	}
};

const endpoint = (name: string) => `https://push.example/${name}`;

describe.each([
	['sqlite', sqlite],
	['postgres', postgresBackend]
])('[NT3] the %s push store contract', (_name, backend) => {
	it('[NT2] makes one VAPID key pair and keeps it', async () => {
		const shared = await backend.fresh();
		const keys = await shared.store().vapidKeys();
		expect(keys.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
		expect(keys.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(await shared.store().vapidKeys()).toEqual(keys);
	});

	it('[NT3] lists an account’s devices, replaces a device’s keys, and forgets it', async () => {
		const { subscriptions } = (await backend.fresh()).store();
		const phone = device(endpoint('phone')).subscription;
		const laptop = device(endpoint('laptop')).subscription;
		await subscriptions.add('alice', phone);
		await subscriptions.add('alice', laptop);
		await subscriptions.add('bob', device(endpoint('bob')).subscription);
		const byEndpoint = (list: { endpoint: string }[]) =>
			[...list].sort((x, y) => x.endpoint.localeCompare(y.endpoint));
		expect(byEndpoint(await subscriptions.of('alice'))).toEqual([laptop, phone]);

		// The same device subscribing again (new keys) is one device, not two.
		const renewed = device(endpoint('phone')).subscription;
		await subscriptions.add('alice', renewed);
		expect(byEndpoint(await subscriptions.of('alice'))).toEqual([laptop, renewed]);

		// Another account cannot forget alice's device; alice can.
		await subscriptions.remove('bob', renewed.endpoint);
		expect(await subscriptions.of('alice')).toHaveLength(2);
		await subscriptions.remove('alice', renewed.endpoint);
		expect(await subscriptions.of('alice')).toEqual([laptop]);
		await subscriptions.remove('alice', renewed.endpoint);
		expect(await subscriptions.of('bob')).toHaveLength(1);
		expect(await subscriptions.of('carol')).toEqual([]);
	});

	it('[NT3] a device signed in to another account moves there', async () => {
		const { subscriptions } = (await backend.fresh()).store();
		const shared = device(endpoint('shared-tablet')).subscription;
		await subscriptions.add('alice', shared);
		await subscriptions.add('bob', shared);
		expect(await subscriptions.of('alice')).toEqual([]);
		expect(await subscriptions.of('bob')).toEqual([shared]);
	});

	it(`[NT3] keeps the newest ${maxSubscriptionsPerAccount} devices of an account`, async () => {
		let time = 1_000;
		const { subscriptions } = (await backend.fresh()).store(() => time++);
		for (let i = 0; i < maxSubscriptionsPerAccount + 2; i++) {
			await subscriptions.add('alice', device(endpoint(`d${i}`)).subscription);
		}
		const kept = (await subscriptions.of('alice')).map((t) => t.endpoint);
		expect(kept).toHaveLength(maxSubscriptionsPerAccount);
		expect(kept).not.toContain(endpoint('d0'));
		expect(kept).not.toContain(endpoint('d1'));
		expect(kept).toContain(endpoint(`d${maxSubscriptionsPerAccount + 1}`));
	});
});

describe('[IN7] [IN8] the postgres push store, shared by instances', () => {
	it('[IN7] instances starting at once agree on one VAPID key pair: the first one made wins', async () => {
		const shared = await postgresBackend.fresh();
		const instances = Array.from({ length: 4 }, () => shared.store());
		const pairs = await Promise.all(instances.map((store) => store.vapidKeys()));
		expect(new Set(pairs.map((pair) => JSON.stringify(pair))).size).toBe(1);
	});

	it('[IN8] a device subscribed on one instance is listed, and forgotten, on every other', async () => {
		const shared = await postgresBackend.fresh();
		const [one, two] = [shared.store(), shared.store()];
		const phone = device(endpoint('phone')).subscription;
		await one.subscriptions.add('alice', phone);
		expect(await two.subscriptions.of('alice')).toEqual([phone]);
		await two.subscriptions.remove('alice', phone.endpoint);
		expect(await one.subscriptions.of('alice')).toEqual([]);
	});
});
