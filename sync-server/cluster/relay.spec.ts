import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../config.js';
import { docKey } from '../storage/types.js';
import { decodeRelayMessage, encodeRelayMessage, type RelayMessage } from './relay.js';

describe('[IN2] the relay wire format', () => {
	it('carries every kind of message and its bytes unchanged, with the sender', () => {
		const key = docKey('acct-a', 'session.one');
		const payload = new Uint8Array([0, 10, 255, 10, 1]);
		const messages: RelayMessage[] = [
			{ kind: 'update', key, payload },
			{ kind: 'awareness', key, payload },
			{ kind: 'deleted', key },
			{ kind: 'resync' },
			{ kind: 'stop', accountId: 'acct-a', sessionId: 's1', messageId: 'm1' },
			{ kind: 'stop', accountId: 'acct-a', sessionId: 's1' }
		];
		for (const message of messages) {
			expect(decodeRelayMessage(encodeRelayMessage('me', message))).toEqual({
				from: 'me',
				message
			});
		}
	});

	it('drops what is not a relay message instead of throwing', () => {
		for (const bytes of [
			'',
			'no header line',
			'{not json}\n',
			'{"kind":"update"}\n',
			'{"kind":"x"}\n'
		]) {
			expect(decodeRelayMessage(Buffer.from(bytes))).toBeNull();
		}
	});
});

describe('[IN1] configuration of several instances', () => {
	const base = { TETHER_SECRET: 's'.repeat(43) };
	it('takes DATABASE_URL and REDIS_URL together', () => {
		const config = readConfig({
			...base,
			DATABASE_URL: 'postgres://u@db/tether',
			REDIS_URL: 'redis://cache:6379'
		});
		expect(config.databaseUrl).toBe('postgres://u@db/tether');
		expect(config.redisUrl).toBe('redis://cache:6379');
	});

	it('refuses Redis without PostgreSQL, PostgreSQL without a shared secret, and wrong URLs', () => {
		expect(() => readConfig({ ...base, REDIS_URL: 'redis://cache' })).toThrow(ConfigError);
		expect(() => readConfig({ DATABASE_URL: 'postgres://u@db/tether' })).toThrow(/TETHER_SECRET/);
		expect(() => readConfig({ ...base, DATABASE_URL: 'mysql://db' })).toThrow(ConfigError);
	});

	it('uses SQLite when neither is set', () => {
		const config = readConfig({});
		expect(config.databaseUrl).toBeUndefined();
		expect(config.redisUrl).toBeUndefined();
	});
});

describe('[IN10] the instance id', () => {
	it('is TETHER_INSTANCE_ID when set, else random at each start, and never anything a log line could be confused by', () => {
		expect(readConfig({ TETHER_INSTANCE_ID: 'tether-1.eu_west' }).instanceId).toBe(
			'tether-1.eu_west'
		);
		const [one, two] = [readConfig({}).instanceId, readConfig({}).instanceId];
		expect(one).toMatch(/^[0-9a-f]{8}$/);
		expect(two).not.toBe(one);
		for (const bad of ['tether 1', 'a\nb', 'x'.repeat(65), 'é']) {
			expect(() => readConfig({ TETHER_INSTANCE_ID: bad })).toThrow(/TETHER_INSTANCE_ID/);
		}
	});
});
