/**
 * The fake is only worth what it imitates: every behaviour is checked through the real SDK.
 * Ids [FA*] are in docs/SPEC.md.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testKey } from '../server/harness.js';
import { startFakeAnthropic, type FakeAnthropic } from './index.js';

type APIError = InstanceType<typeof Anthropic.APIError>;

const key = testKey('fake-spec');
const model = 'claude-sonnet-4-6';
let fake: FakeAnthropic;

const client = (opts: { apiKey?: string; maxRetries?: number; timeout?: number } = {}) =>
	new Anthropic({ apiKey: key, baseURL: fake.url, maxRetries: 0, logLevel: 'off', ...opts });

const ask = (text = 'hi', extra: Partial<Anthropic.MessageCreateParams> = {}) =>
	({
		model,
		max_tokens: 1024,
		messages: [{ role: 'user', content: text }],
		...extra
	}) as Anthropic.MessageCreateParamsNonStreaming;

beforeAll(async () => {
	fake = await startFakeAnthropic({ keys: [key] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('models', () => {
	it('[FA1] lists active and deprecated models with their context windows, never retired', async () => {
		const models = [];
		for await (const m of client().models.list({ limit: 2 })) models.push(m);
		expect(models.map((m) => m.lifecycle)).not.toContain('retired');
		expect(models.length).toBe(4);
		expect(models[0]).toMatchObject({
			id: 'claude-opus-4-6',
			display_name: 'Claude Opus 4.6',
			line: 'opus',
			max_input_tokens: 200_000,
			max_tokens: 64_000,
			type: 'model'
		});
		// Paged by the SDK through after_id: two requests for four models at two per page.
		expect(fake.requestsTo('/v1/models').length).toBe(2);
	});

	it('[FA1] lists retired models only when asked for', async () => {
		const page = await client().models.list({ lifecycle: ['retired'] });
		expect(page.data.map((m) => m.id)).toEqual(['claude-2-1']);
	});
});

describe('keys', () => {
	it('[FA2] refuses an unknown key with the SDK AuthenticationError and records no key', async () => {
		const error = await client({ apiKey: 'sk-ant-test-unknown' })
			.models.list()
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
		expect((error as APIError).requestID).toMatch(/^req_/);
		const [request] = fake.requests;
		expect(request?.auth).toBe('bearer');
		expect(request?.keyAccepted).toBe(false);
		expect(JSON.stringify(request)).not.toContain('sk-ant-test-unknown');
		expect(request?.headers.authorization).toBeUndefined();
	});

	it('[FA2] accepts the key as x-api-key too, as older clients send it', async () => {
		const res = await fetch(`${fake.url}/v1/models`, { headers: { 'x-api-key': key } });
		expect(res.status).toBe(200);
		expect(res.headers.get('request-id')).toMatch(/^req_/);
		expect(fake.requests[0]?.auth).toBe('x-api-key');
	});
});

describe('streaming', () => {
	it('[FA3] streams text, thinking and a tool call that parse into the right final message', async () => {
		fake.script({
			blocks: [
				{ type: 'thinking', thinking: 'Let me look at the file.', signature: 'c2lnbmF0dXJl' },
				{ type: 'text', text: 'Reading it now: café ☕ 👩‍💻' },
				{ type: 'tool_use', id: 'toolu_01abc', name: 'read', input: { path: 'a/b.md', n: [1, 2] } }
			],
			usage: { inputTokens: 42, outputTokens: 17 },
			pings: true,
			unknownEvents: true
		});
		const stream = client().messages.stream(ask('read the file'));
		const message = await stream.finalMessage();
		expect(message.content).toEqual([
			{ type: 'thinking', thinking: 'Let me look at the file.', signature: 'c2lnbmF0dXJl' },
			{ type: 'text', text: 'Reading it now: café ☕ 👩‍💻' },
			{ type: 'tool_use', id: 'toolu_01abc', name: 'read', input: { path: 'a/b.md', n: [1, 2] } }
		]);
		expect(message.stop_reason).toBe('tool_use');
		expect(message.usage).toMatchObject({ input_tokens: 42, output_tokens: 17 });
		const body = fake.requestsTo('/v1/messages')[0]?.body as { stream: boolean };
		expect(body.stream).toBe(true);
	});

	it("[FA3] sends citations_delta after a text block's text", async () => {
		const citation = {
			type: 'char_location',
			cited_text: 'the sky is blue',
			document_index: 0,
			document_title: 'Notes',
			start_char_index: 0,
			end_char_index: 15
		};
		fake.script({ blocks: [{ type: 'text', text: 'It is blue.', citations: [citation] }] });
		const message = await client().messages.stream(ask()).finalMessage();
		expect(message.content).toEqual([{ type: 'text', text: 'It is blue.', citations: [citation] }]);
	});

	it('[FA3] sends input_json_delta fragments cut mid-token, the first empty', async () => {
		fake.script({ blocks: [{ type: 'tool_use', name: 'write', input: { path: 'x', text: 'y' } }] });
		const fragments: string[] = [];
		const stream = await client().messages.create({ ...ask(), stream: true });
		for await (const event of stream) {
			if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
				fragments.push(event.delta.partial_json);
			}
		}
		expect(fragments[0]).toBe('');
		expect(fragments.join('')).toBe('{"path":"x","text":"y"}');
		expect(() => JSON.parse(fragments[1] ?? '')).toThrow();
	});

	it('[FA3] reports each stop reason and running usage totals', async () => {
		for (const stopReason of ['max_tokens', 'refusal', 'model_context_window_exceeded'] as const) {
			fake.script({
				blocks: [{ type: 'text', text: 'x' }],
				stopReason,
				usage: { outputTokens: 9 }
			});
			const message = await client().messages.stream(ask()).finalMessage();
			expect(message.stop_reason).toBe(stopReason);
			expect(message.usage.output_tokens).toBe(9);
		}
		// Cache figures come with message_start, as the API sends them.
		fake.script({
			blocks: [{ type: 'text', text: 'x' }],
			usage: { inputTokens: 5, cacheReadTokens: 700, cacheWriteTokens: 80 }
		});
		const cached = await client().messages.stream(ask()).finalMessage();
		expect(cached.usage).toMatchObject({
			input_tokens: 5,
			cache_read_input_tokens: 700,
			cache_creation_input_tokens: 80
		});
	});

	it('[FA4] survives the SSE bytes cut at every byte, inside multi-byte characters', async () => {
		const text = 'Grüße, 世界! 🎉🎉 done';
		fake.script({
			blocks: [{ type: 'text', text, deltas: ['Grü', 'ße, 世', '界! 🎉', '🎉 done'] }],
			chunkBytes: 1
		});
		const message = await client().messages.stream(ask()).finalMessage();
		expect(message.content).toEqual([{ type: 'text', text }]);
	});

	it('[FA4] survives odd chunk sizes across event boundaries', async () => {
		fake.script({
			blocks: [{ type: 'text', text: 'ñandú 🦤 '.repeat(20) }],
			chunkBytes: [7, 3, 50, 1]
		});
		const message = await client().messages.stream(ask()).finalMessage();
		expect(message.content[0]).toEqual({ type: 'text', text: 'ñandú 🦤 '.repeat(20) });
	});

	it('[FA5] echoes the last user message when nothing is scripted, and answers non-streamed too', async () => {
		const message = await client().messages.create(ask('ping me'));
		expect(message.content).toEqual([{ type: 'text', text: 'Echo: ping me' }]);
		expect(message.stop_reason).toBe('end_turn');
	});
});

describe('failures', () => {
	const statuses: [number, new (...args: never[]) => APIError, string][] = [
		[400, Anthropic.BadRequestError, 'invalid_request_error'],
		[401, Anthropic.AuthenticationError, 'authentication_error'],
		[402, Anthropic.APIError, 'billing_error'],
		[403, Anthropic.PermissionDeniedError, 'permission_error'],
		[404, Anthropic.NotFoundError, 'not_found_error'],
		[413, Anthropic.APIError, 'request_too_large'],
		[429, Anthropic.RateLimitError, 'rate_limit_error'],
		[500, Anthropic.InternalServerError, 'api_error'],
		[504, Anthropic.InternalServerError, 'timeout_error'],
		[529, Anthropic.InternalServerError, 'overloaded_error']
	];
	for (const [status, ErrorClass, type] of statuses) {
		it(`[FA6] ${status} arrives as ${ErrorClass.name} with the API's error body`, async () => {
			fake.failNext(status);
			const error = (await client()
				.messages.create(ask())
				.catch((e: unknown) => e)) as APIError;
			expect(error).toBeInstanceOf(ErrorClass);
			expect(error.status).toBe(status);
			expect(error.error).toMatchObject({ type: 'error', error: { type } });
			expect(error.requestID).toMatch(/^req_/);
		});
	}

	it('[FA6] 413 from the edge is an HTML page, still a 413 error', async () => {
		fake.failNext({ status: 413, html: true });
		const error = (await client()
			.messages.create(ask())
			.catch((e: unknown) => e)) as APIError;
		expect(error.status).toBe(413);
		expect(error.message).toContain('Request Entity Too Large');
	});

	it('[FA7] 429 carries retry-after and the SDK retries it by its own policy', async () => {
		fake.failNext({ status: 429, retryAfter: 0.05 }, { times: 2 });
		const message = await client({ maxRetries: 2 }).messages.create(ask('again'));
		expect(message.content).toEqual([{ type: 'text', text: 'Echo: again' }]);
		const sent = fake.requestsTo('/v1/messages');
		expect(sent.map((r) => r.status)).toEqual([429, 429, 200]);
		expect(sent.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
	});

	it('[FA7] 529 exhausts the default two retries, then surfaces', async () => {
		fake.failNext({ status: 529, headers: { 'retry-after-ms': '10' } }, { times: 5 });
		const error = await client({ maxRetries: 2 })
			.messages.create(ask())
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.InternalServerError);
		expect(fake.requestsTo('/v1/messages').length).toBe(3);
	});

	it('[FA8] a mid-stream error event rejects after the partial text arrived', async () => {
		fake.script({
			blocks: [{ type: 'text', text: 'partial answer', deltas: ['partial ', 'answer'] }],
			interrupt: { how: 'error-event' }
		});
		const stream = client().messages.stream(ask());
		const seen: string[] = [];
		stream.on('text', (t) => seen.push(t));
		const error = await stream.finalMessage().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.APIError);
		expect((error as APIError).error).toMatchObject({
			error: { type: 'overloaded_error' }
		});
		expect(seen).toEqual(['partial ']);
	});

	it('[FA8] a clean close before message_stop ends the raw stream quietly, finalMessage rejects', async () => {
		const reply = {
			blocks: [{ type: 'text' as const, text: 'cut here', deltas: ['cut ', 'here'] }],
			interrupt: { how: 'close' as const, afterEvent: 4 }
		};
		fake.script(reply, reply);
		const types: string[] = [];
		for await (const event of await client().messages.create({ ...ask(), stream: true })) {
			types.push(event.type);
		}
		expect(types).toEqual([
			'message_start',
			'content_block_start',
			'content_block_delta',
			'content_block_delta'
		]);
		await expect(client().messages.stream(ask()).finalMessage()).rejects.toThrow();
	});

	it('[FA8] a reset mid-stream rejects, and is not retried once the stream started', async () => {
		fake.script({ interrupt: { how: 'reset' } });
		await expect(client({ maxRetries: 2 }).messages.stream(ask()).finalMessage()).rejects.toThrow();
		expect(fake.requestsTo('/v1/messages').length).toBe(1);
	});

	it('[FA8] a reset before any answer is a connection error, retried by the SDK', async () => {
		fake.failNext('reset', { times: 1 });
		const message = await client({ maxRetries: 1 }).messages.create(ask('after reset'));
		expect(message.content).toEqual([{ type: 'text', text: 'Echo: after reset' }]);
		fake.failNext('reset', { times: 2 });
		const error = await client({ maxRetries: 1 })
			.messages.create(ask())
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
	});

	it('[FA9] a stall after headers is not covered by the SDK timeout; aborting ends it', async () => {
		fake.failNext('stall');
		const controller = new AbortController();
		const stream = await client({ timeout: 100 }).messages.create(
			{ ...ask(), stream: true },
			{ signal: controller.signal }
		);
		const started = Date.now();
		setTimeout(() => controller.abort(), 300);
		for await (const event of stream) expect(event).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		await expect.poll(() => fake.openResponses()).toBe(0);
		expect(fake.requests[0]?.outcome).toBe('client-closed');
	});

	it('[FA9] a hang before headers hits the SDK timeout', async () => {
		fake.failNext('hang');
		const error = await client({ timeout: 200 })
			.messages.create(ask())
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
	});
});

describe('request rules', () => {
	it('[FA10] a tool_use without its tool_result in the next message is a 400', async () => {
		const error = (await client()
			.messages.create(
				ask('x', {
					messages: [
						{ role: 'user', content: 'go' },
						{
							role: 'assistant',
							content: [{ type: 'tool_use', id: 'toolu_01lost', name: 'read', input: {} }]
						},
						{ role: 'user', content: 'what happened?' }
					]
				})
			)
			.catch((e: unknown) => e)) as APIError;
		expect(error).toBeInstanceOf(Anthropic.BadRequestError);
		expect(error.message).toContain('toolu_01lost');
		expect(error.message).toContain('`tool_use` ids were found without `tool_result` blocks');
	});

	it('[FA10] a tool_result without a tool_use just before is a 400; a paired one is fine', async () => {
		const orphan = ask('x', {
			messages: [
				{
					role: 'user',
					content: [{ type: 'tool_result', tool_use_id: 'toolu_01x', content: 'ok' }]
				}
			]
		});
		await expect(client().messages.create(orphan)).rejects.toBeInstanceOf(
			Anthropic.BadRequestError
		);
		const paired = ask('x', {
			messages: [
				{ role: 'user', content: 'go' },
				{
					role: 'assistant',
					content: [{ type: 'tool_use', id: 'toolu_01y', name: 'read', input: {} }]
				},
				{
					role: 'user',
					content: [
						{ type: 'tool_result', tool_use_id: 'toolu_01y', content: 'file text' },
						{ type: 'text', text: 'and now?' }
					]
				}
			]
		});
		const message = await client().messages.create(paired);
		expect(message.content).toEqual([{ type: 'text', text: 'Echo: and now?' }]);
	});

	it('[FA11] records what was sent, without the key, for tests to assert on', async () => {
		await client().messages.create(ask('remember me', { system: 'be brief' }));
		const [sent] = fake.requestsTo('/v1/messages');
		expect(sent?.body).toMatchObject({ model, system: 'be brief' });
		expect(sent?.headers['anthropic-version']).toBeTruthy();
		expect(sent?.outcome).toBe('completed');
		expect(JSON.stringify(sent)).not.toContain(key);
	});

	it('[FA11] an unknown model is a 404 not_found_error', async () => {
		const error = await client()
			.messages.create(ask('x', { model: 'claude-nope' }))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.NotFoundError);
	});
});
