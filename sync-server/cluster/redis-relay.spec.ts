/**
 * The relay on a real Redis (started here from the Debian package; the suite fails when it
 * cannot start, never skips): a document's messages reach only the instances that watch it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis } from '../../tests/server/services.js';
import { docKey } from '../storage/types.js';
import { createRedisRelay } from './redis-relay.js';
import type { Relay, RelayMessage } from './relay.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
const relays: Relay[] = [];

beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await Promise.all(relays.map((relay) => relay.close()));
	await redis.stop();
});

async function relay(): Promise<{ relay: Relay; got: RelayMessage[] }> {
	const created = await createRedisRelay(redis.url);
	relays.push(created);
	const got: RelayMessage[] = [];
	created.onMessage((message) => got.push(message));
	return { relay: created, got };
}

const seen = (got: RelayMessage[]) =>
	got.map((m) => ('key' in m ? `${m.kind} ${m.key}` : m.kind)).sort();

describe('[IN14] a document’s messages reach only the instances that have it loaded', () => {
	it('updates, presence and deletions of a watched document arrive; others do not; Stop and resync reach all', async () => {
		const one = await relay();
		const two = await relay();
		const watched = docKey('acct', 'session.watched');
		const other = docKey('acct', 'session.other');
		const payload = new Uint8Array([1, 2, 3]);
		await two.relay.watch(watched);

		one.relay.publish({ kind: 'update', key: other, payload });
		one.relay.publish({ kind: 'awareness', key: other, payload });
		one.relay.publish({ kind: 'update', key: watched, payload });
		one.relay.publish({ kind: 'awareness', key: watched, payload });
		one.relay.publish({ kind: 'deleted', key: watched });
		one.relay.publish({ kind: 'stop', accountId: 'acct', sessionId: 's1' });
		await vi.waitFor(() => expect(two.got.some((m) => m.kind === 'stop')).toBe(true));
		await vi.waitFor(() => expect(two.got).toHaveLength(4));
		expect(seen(two.got)).toEqual(
			[`update ${watched}`, `awareness ${watched}`, `deleted ${watched}`, 'stop'].sort()
		);
		expect(two.got.find((m) => m.kind === 'update')).toEqual({
			kind: 'update',
			key: watched,
			payload
		});
		// The sender never hears itself.
		expect(one.got).toEqual([]);
	});

	it('once unwatched (the document unloaded), its messages stop coming', async () => {
		const one = await relay();
		const two = await relay();
		const key = docKey('acct', 'session.unloaded');
		const marker = docKey('acct', 'session.marker');
		await two.relay.watch(key);
		one.relay.publish({ kind: 'update', key, payload: new Uint8Array([1]) });
		await vi.waitFor(() => expect(two.got).toHaveLength(1));

		two.relay.unwatch(key);
		// Commands on the listening connection run in order: once this watch is done, so is the
		// unwatch before it.
		await two.relay.watch(marker);
		one.relay.publish({ kind: 'update', key, payload: new Uint8Array([2]) });
		one.relay.publish({ kind: 'update', key: marker, payload: new Uint8Array([3]) });
		await vi.waitFor(() => expect(seen(two.got)).toContain(`update ${marker}`));
		expect(seen(two.got)).toEqual([`update ${key}`, `update ${marker}`].sort());
	});
});
