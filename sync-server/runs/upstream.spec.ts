/**
 * The upstream client ends a request when its run aborts it, even where Node's fetch has lost
 * the signal ([RN10]): the fetch underneath here drops the signal, as Node's does once the
 * garbage collector has taken its follower (nodejs/node#55428).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../../tests/fake-anthropic/index.js';
import { testKey } from '../../tests/server/harness.js';
import { anthropicClient } from './upstream.js';

// Made by the harness, so no key-shaped literal sits in the repository.
const key = testKey('upstream-spec');
let fake: FakeAnthropic;
let previousBaseUrl: string | undefined;

/** Node's fetch after the garbage collector took the signal's follower: the signal is ignored. */
const fetchThatLostItsSignal: typeof fetch = (input, init) =>
	fetch(input, { ...init, signal: undefined });

const ask = {
	model: 'claude-sonnet-4-6',
	max_tokens: 64,
	messages: [{ role: 'user' as const, content: 'hi' }]
};

beforeAll(async () => {
	fake = await startFakeAnthropic({ keys: [key] });
	previousBaseUrl = process.env.ANTHROPIC_BASE_URL;
	process.env.ANTHROPIC_BASE_URL = fake.url;
});
afterAll(async () => {
	process.env.ANTHROPIC_BASE_URL = previousBaseUrl;
	await fake.close();
});
beforeEach(() => fake.reset());

describe('[RN10] aborting a request', () => {
	it('ends a stream that stalled after its first events, and closes the connection', async () => {
		fake.script({
			blocks: [{ type: 'text', text: 'Then silence', deltas: ['Then ', 'silence'] }],
			interrupt: { how: 'stall', afterEvent: 4 }
		});
		const client = anthropicClient(key, { fetch: fetchThatLostItsSignal });
		const controller = new AbortController();
		const stream = await client.messages.create(
			{ ...ask, stream: true },
			{ signal: controller.signal }
		);
		const types: string[] = [];
		const reading = (async () => {
			for await (const event of stream) {
				types.push(event.type);
				if (event.type === 'content_block_delta') controller.abort();
			}
			return 'ended';
		})().catch((error: unknown) => (error as Error).name);
		// Without the abort reaching the body, the loop would wait for the stalled stream forever.
		const outcome = await Promise.race([
			reading,
			new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000))
		]);
		expect(outcome).toBe('ended');
		expect(types).toContain('message_start');
		await expect.poll(() => fake.openResponses()).toBe(0);
		expect(fake.requests[0]?.outcome).toBe('client-closed');
	});

	it('ends a request still waiting for its headers', async () => {
		fake.failNext('hang');
		const client = anthropicClient(key, { fetch: fetchThatLostItsSignal, timeoutMs: 60_000 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const outcome = await Promise.race([
			client.messages.create(ask, { signal: controller.signal }).catch((e: unknown) => e),
			new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000))
		]);
		expect(outcome).toBeInstanceOf(Error);
		expect((outcome as Error).name).toMatch(/Abort/);
	});

	it('still reads a whole answer to the end', async () => {
		const client = anthropicClient(key, { fetch: fetchThatLostItsSignal });
		const message = await client.messages
			.stream(ask, { signal: new AbortController().signal })
			.finalMessage();
		expect(message.content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
	});
});
