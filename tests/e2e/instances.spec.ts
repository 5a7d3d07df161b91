/**
 * Two devices on two server instances that share a real PostgreSQL and Redis (docs/DEPLOY.md).
 * This file starts its own servers instead of the per-worker one: the point is two of them.
 * When PostgreSQL or Redis cannot start, it fails: it never skips.
 */
import { randomBytes } from 'node:crypto';
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { startFakeAnthropic, type FakeAnthropic } from '../fake-anthropic/index.js';
import { startTether, testKey, type TetherServer } from '../server/harness.js';
import { startPostgres, startRedis } from '../server/services.js';
import { createProject, newSession, openProject, send, signIn, syncStatus } from './fixtures.js';

const test = base;

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
let fake: FakeAnthropic;
let one: TetherServer;
let two: TetherServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
	test.setTimeout(120_000);
	[postgres, redis, fake] = await Promise.all([
		startPostgres(),
		startRedis(),
		startFakeAnthropic({ acceptKey: (k) => k.startsWith('sk-ant-test-') })
	]);
	const env = {
		DATABASE_URL: postgres.url,
		REDIS_URL: redis.url,
		TETHER_SECRET: randomBytes(32).toString('base64url')
	};
	one = await startTether({ entry: 'build', env, fake });
	two = await startTether({ entry: 'build', env, fake });
});

test.afterAll(async () => {
	await Promise.all([one?.close(), two?.close()]);
	await Promise.all([fake?.close(), redis?.stop(), postgres?.stop()]);
});

/** A device (own browser context) signed in on one instance. */
async function deviceOn(browser: Browser, server: TetherServer, apiKey: string): Promise<Page> {
	const page = await (await browser.newContext({ baseURL: server.url })).newPage();
	await signIn(page, apiKey);
	return page;
}

test('[IN2] devices on two instances converge live: project, session and messages both ways', async ({
	browser
}) => {
	const apiKey = testKey('instances');
	const a = await deviceOn(browser, one, apiKey);
	const b = await deviceOn(browser, two, apiKey);
	await expect(syncStatus(a)).toHaveText('Synced');

	await createProject(a, 'Across instances');
	await newSession(a);
	await send(a, 'hello from the first instance');
	await expect(syncStatus(a)).toHaveText('Synced');

	await expect(
		b.getByRole('navigation', { name: 'Projects' }).getByRole('link', { name: 'Across instances' })
	).toBeVisible();
	await openProject(b, 'Across instances');
	const sessionsB = b.getByRole('region', { name: 'Sessions' });
	await sessionsB.getByRole('link', { name: 'hello from the first instance' }).click();
	await expect(b.getByRole('log', { name: 'Conversation' })).toContainText(
		'hello from the first instance'
	);

	await send(b, 'reply from the second instance');
	await expect(a.getByRole('log', { name: 'Conversation' })).toContainText(
		'reply from the second instance'
	);
});
