import type pg from 'pg';
import { inTransaction } from './pg-transaction.js';

/**
 * The PostgreSQL schema, as numbered migrations applied at start. Each runs once, in its own
 * transaction, under an advisory lock, so instances starting together never apply one twice.
 * Append only: a released migration is never edited, a change is a new entry.
 */
const migrations: string[] = [
	`
CREATE TABLE doc_updates (
	seq bigserial PRIMARY KEY,
	account_id text NOT NULL,
	doc_name text NOT NULL,
	data bytea NOT NULL
);
CREATE INDEX doc_updates_by_doc ON doc_updates (account_id, doc_name, seq);
CREATE TABLE doc_snapshots (
	account_id text NOT NULL,
	doc_name text NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (account_id, doc_name)
);
CREATE TABLE doc_tombstones (
	account_id text NOT NULL,
	doc_name text NOT NULL,
	deleted_at bigint NOT NULL,
	PRIMARY KEY (account_id, doc_name)
);
-- One row per document, moved to a fresh, larger seq on every change (see change-seq.ts).
CREATE TABLE doc_changes (
	account_id text NOT NULL,
	doc_name text NOT NULL,
	seq bigint NOT NULL,
	deleted boolean NOT NULL DEFAULT false,
	PRIMARY KEY (account_id, doc_name)
);
CREATE INDEX doc_changes_by_account ON doc_changes (account_id, seq);
CREATE INDEX doc_changes_by_seq ON doc_changes (seq);
CREATE TABLE doc_scrubs (
	account_id text NOT NULL,
	doc_name text NOT NULL,
	PRIMARY KEY (account_id, doc_name)
);
CREATE TABLE auth_accounts (
	key_hmac text PRIMARY KEY,
	account_id text NOT NULL UNIQUE,
	created_at bigint NOT NULL,
	last_sign_in_at bigint NOT NULL
);
`,
	`
-- One row per run asked for, whichever instance was asked: the primary key makes the claim (R22).
CREATE TABLE run_claims (
	account_id text NOT NULL,
	session_id text NOT NULL,
	message_id text NOT NULL,
	attempt integer NOT NULL,
	claimed_at bigint NOT NULL,
	PRIMARY KEY (account_id, session_id, message_id, attempt)
);
`,
	`
-- Web Push for every instance: one VAPID key pair (the first instance to start makes it), and
-- each device's subscription, whichever instance it subscribed on ([IN7], [IN8]).
CREATE TABLE push_vapid (
	id smallint PRIMARY KEY CHECK (id = 1),
	public_key text NOT NULL,
	private_key text NOT NULL,
	created_at bigint NOT NULL
);
CREATE TABLE push_subscriptions (
	endpoint text PRIMARY KEY,
	account_id text NOT NULL,
	p256dh text NOT NULL,
	auth text NOT NULL,
	created_at bigint NOT NULL
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id, created_at);
-- Which instance claimed (and so runs) each run: an operator's answer to "who ran this" ([IN10]);
-- ended_at once it is over. A claim of an instance that stopped beating is ended by another ([IN12]).
ALTER TABLE run_claims ADD COLUMN instance_id text, ADD COLUMN ended_at bigint;
CREATE INDEX run_claims_unended ON run_claims (instance_id) WHERE ended_at IS NULL;
CREATE TABLE tether_instances (
	instance_id text PRIMARY KEY,
	started_at bigint NOT NULL,
	seen_at bigint NOT NULL
);
`
];

/** Arbitrary constants for pg_advisory_xact_lock: one for migrations, one for the change feed. */
export const migrationLock = 0x7e7e_0001;
export const feedLock = 0x7e7e_0002;

/** Brings the database to the latest schema; safe to call from every instance at once. */
export async function migrate(pool: pg.Pool): Promise<void> {
	await inTransaction(pool, async (client) => {
		await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
		await client.query(
			'CREATE TABLE IF NOT EXISTS tether_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)'
		);
		const { rows } = await client.query<{ v: number | null }>(
			'SELECT max(version) AS v FROM tether_migrations'
		);
		const done = rows[0]?.v ?? 0;
		for (let version = done + 1; version <= migrations.length; version++) {
			await client.query(migrations[version - 1]!);
			await client.query('INSERT INTO tether_migrations (version, applied_at) VALUES ($1, $2)', [
				version,
				Date.now()
			]);
		}
	});
}
