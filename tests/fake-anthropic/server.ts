/**
 * A fake Anthropic API on a real port, for the real SDK: `new Anthropic({ baseURL: fake.url })`
 * or `ANTHROPIC_BASE_URL=<fake.url>`. Plain TypeScript (no test-runner imports) so vitest,
 * Playwright and the CLI in main.ts can all drive it. See README.md for the behaviours.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { edgeTooLargeHtml, errorBody } from './errors.js';
import { defaultModels, listModels, toModelInfo } from './models.js';
import {
	chunk,
	encodeEvent,
	newId,
	replyEvents,
	replyMessage,
	type ScriptedBlock,
	type ScriptedReply
} from './reply.js';
import type {
	Endpoint,
	FakeAnthropic,
	FakeAnthropicOptions,
	Failure,
	RecordedRequest
} from './types.js';
import { checkMessagesRequest, lastUserText } from './validate.js';

export type { Endpoint, FakeAnthropic, FakeAnthropicOptions, Failure, RecordedRequest };

interface QueuedFailure {
	failure: Failure;
	endpoint: Endpoint;
	times: number;
}

const toFailure = (f: Failure | number | 'reset' | 'stall' | 'hang'): Failure =>
	typeof f === 'number' ? { status: f } : typeof f === 'string' ? { kind: f } : f;

function readKey(req: IncomingMessage): { key: string | null; auth: RecordedRequest['auth'] } {
	const authorization = req.headers.authorization;
	if (authorization?.startsWith('Bearer ')) {
		return { key: authorization.slice('Bearer '.length).trim(), auth: 'bearer' };
	}
	const header = req.headers['x-api-key'];
	if (typeof header === 'string') return { key: header, auth: 'x-api-key' };
	return { key: null, auth: null };
}

function safeHeaders(req: IncomingMessage): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (name === 'authorization' || name === 'x-api-key' || value === undefined) continue;
		out[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const piece of req as AsyncIterable<Buffer>) {
		size += piece.length;
		if (size > max) return 'too-large';
		chunks.push(piece);
	}
	return Buffer.concat(chunks);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends an RST where the platform can, so clients see a reset rather than a clean end. */
function reset(socket: Socket | null) {
	if (!socket) return;
	if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
	else socket.destroy();
}

export async function startFakeAnthropic(
	options: FakeAnthropicOptions = {}
): Promise<FakeAnthropic> {
	const keys = new Set(options.keys ?? []);
	const accept = (key: string | null) =>
		key !== null && (keys.has(key) || (options.acceptKey?.(key) ?? false));
	const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
	const requests: RecordedRequest[] = [];
	let replies: ScriptedReply[] = [];
	let failures: QueuedFailure[] = [];
	const open = new Set<ServerResponse>();
	const sockets = new Set<Socket>();

	let url = '';
	const fake: FakeAnthropic = {
		get url() {
			return url;
		},
		requests,
		keys,
		models: [...(options.models ?? defaultModels)],
		script: (...more) => void replies.push(...more),
		failNext(failure, opts = {}) {
			failures.push({
				failure: toFailure(failure),
				endpoint: opts.endpoint ?? 'any',
				times: opts.times ?? 1
			});
		},
		requestsTo: (path) => requests.filter((r) => r.path === path),
		async waitForRequests(path, count, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs;
			while (fake.requestsTo(path).length < count) {
				if (Date.now() > deadline) {
					throw new Error(`expected ${count} requests to ${path} within ${timeoutMs} ms`);
				}
				await sleep(10);
			}
			return fake.requestsTo(path);
		},
		openResponses: () => open.size,
		reset() {
			replies = [];
			failures = [];
			requests.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	};

	function takeFailure(endpoint: Endpoint): Failure | undefined {
		const queued = failures.find((f) => f.endpoint === 'any' || f.endpoint === endpoint);
		if (!queued) return undefined;
		queued.times -= 1;
		if (queued.times <= 0) failures = failures.filter((f) => f !== queued);
		return queued.failure;
	}

	function sendJson(res: ServerResponse, record: RecordedRequest, status: number, body: unknown) {
		record.status = status;
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}

	function sendFailure(res: ServerResponse, record: RecordedRequest, failure: Failure) {
		if ('kind' in failure) {
			if (failure.kind === 'reset') {
				record.outcome = 'broken';
				reset(res.socket);
			} else if (failure.kind === 'stall') {
				record.status = 200;
				res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
				res.flushHeaders();
			}
			return; // 'hang' and 'stall' wait for the client to give up.
		}
		const headers: Record<string, string> = { ...failure.headers };
		if (failure.status === 429 || failure.retryAfter !== undefined) {
			headers['retry-after'] = String(failure.retryAfter ?? 1);
		}
		record.status = failure.status;
		if (failure.html) {
			res.writeHead(failure.status, { ...headers, 'content-type': 'text/html' });
			res.end(edgeTooLargeHtml);
			return;
		}
		res.writeHead(failure.status, { ...headers, 'content-type': 'application/json' });
		res.end(JSON.stringify(errorBody(failure.status, record.id, failure)));
	}

	async function stream(
		res: ServerResponse,
		record: RecordedRequest,
		reply: ScriptedReply,
		blocks: ScriptedBlock[],
		model: string,
		inputTokens: number
	) {
		const events = replyEvents(reply, blocks, { model, inputTokens });
		const interrupt = reply.interrupt;
		const firstDelta = events.findIndex((e) => e.event === 'content_block_delta');
		const cut = interrupt
			? Math.min(interrupt.afterEvent ?? firstDelta + 1, events.length)
			: events.length;
		record.status = 200;
		res.writeHead(200, {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache'
		});
		const texts = events.slice(0, cut).map(encodeEvent);
		const pieces =
			reply.chunkBytes === undefined
				? texts.map((t) => Buffer.from(t, 'utf8'))
				: chunk(Buffer.from(texts.join(''), 'utf8'), reply.chunkBytes);
		for (const piece of pieces) {
			if (res.destroyed) return;
			res.write(piece);
			// Separate writes become separate reads only if the event loop turns in between.
			await sleep(reply.delayMs ?? 0);
		}
		if (res.destroyed) return;
		if (!interrupt) {
			res.end();
			return;
		}
		if (interrupt.how === 'error-event') {
			const error = interrupt.error ?? { type: 'overloaded_error', message: 'Overloaded' };
			res.end(
				encodeEvent({ event: 'error', data: { type: 'error', error, request_id: record.id } })
			);
		} else if (interrupt.how === 'close') {
			res.end();
		} else if (interrupt.how === 'reset') {
			record.outcome = 'broken';
			reset(res.socket);
		}
		// 'stall': leave the response open until the client gives up or the fake closes.
	}

	async function messages(res: ServerResponse, record: RecordedRequest) {
		const problem = checkMessagesRequest(record.body);
		if (problem) {
			return sendJson(res, record, 400, errorBody(400, record.id, { message: problem }));
		}
		const body = record.body as { model: string; stream?: boolean };
		if (!fake.models.some((m) => m.id === body.model && m.lifecycle !== 'retired')) {
			return sendJson(
				res,
				record,
				404,
				errorBody(404, record.id, { message: `model: ${body.model}` })
			);
		}
		const reply = replies.shift() ?? options.defaultReply ?? {};
		const blocks = reply.blocks ?? [{ type: 'text', text: `Echo: ${lastUserText(record.body)}` }];
		const inputTokens = Math.max(1, Math.ceil(JSON.stringify(record.body).length / 4));
		if (body.stream === true) {
			return stream(res, record, reply, blocks, body.model, inputTokens);
		}
		if (reply.interrupt?.how === 'reset' || reply.interrupt?.how === 'stall') {
			return sendFailure(res, record, { kind: reply.interrupt.how });
		}
		if (reply.interrupt) return sendFailure(res, record, { status: 529 });
		sendJson(res, record, 200, replyMessage(reply, blocks, { model: body.model, inputTokens }));
	}

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const url = new URL(req.url ?? '/', 'http://fake');
		const { key, auth } = readKey(req);
		const record: RecordedRequest = {
			id: newId('req'),
			method: req.method ?? 'GET',
			path: url.pathname,
			query: url.searchParams,
			headers: safeHeaders(req),
			auth,
			keyAccepted: accept(key),
			body: undefined,
			status: null,
			outcome: 'pending',
			at: Date.now()
		};
		requests.push(record);
		res.setHeader('request-id', record.id);
		open.add(res);
		res.on('close', () => {
			open.delete(res);
			if (record.outcome === 'pending') {
				record.outcome = res.writableFinished ? 'completed' : 'client-closed';
			}
		});

		const raw = await readBody(req, maxBodyBytes);
		if (raw === 'too-large') return sendFailure(res, record, { status: 413, html: true });
		const text = raw.toString('utf8');
		if (text) {
			try {
				record.body = JSON.parse(text);
			} catch {
				record.body = text;
			}
		}
		if (!key) {
			return sendJson(
				res,
				record,
				401,
				errorBody(401, record.id, { message: 'x-api-key header is required' })
			);
		}
		if (!record.keyAccepted) return sendJson(res, record, 401, errorBody(401, record.id));

		const isModels = url.pathname === '/v1/models' || url.pathname.startsWith('/v1/models/');
		const endpoint: Endpoint = isModels ? 'models' : 'messages';
		const failure = takeFailure(endpoint);
		if (failure) return sendFailure(res, record, failure);

		if (req.method === 'GET' && url.pathname === '/v1/models') {
			return sendJson(res, record, 200, listModels(fake.models, url.searchParams));
		}
		if (req.method === 'GET' && isModels) {
			const id = decodeURIComponent(url.pathname.slice('/v1/models/'.length));
			const model = fake.models.find((m) => m.id === id);
			if (model) return sendJson(res, record, 200, toModelInfo(model));
			return sendJson(res, record, 404, errorBody(404, record.id, { message: `model: ${id}` }));
		}
		if (req.method === 'POST' && url.pathname === '/v1/messages') {
			if (typeof record.body !== 'object') {
				const message = 'There was an error parsing the body of your request';
				return sendJson(res, record, 400, errorBody(400, record.id, { message }));
			}
			return messages(res, record);
		}
		return sendJson(res, record, 404, errorBody(404, record.id, { message: 'Not Found' }));
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			// The client went away mid-request (Stop, abort): nothing to answer, nothing wrong.
			if (res.destroyed) return;
			// A fake that hides its own bugs would make tests lie: say it loudly, answer 500.
			console.error('fake-anthropic: handler failed:', error);
			if (!res.headersSent) res.writeHead(500).end();
			else res.destroy();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { address, port } = server.address() as AddressInfo;
	url = `http://${address}:${port}`;
	return fake;
}
