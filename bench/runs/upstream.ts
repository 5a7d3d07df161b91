import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal Messages API for the runs bench: it streams `tokens` text pieces ("t0 ", "t1 ", ...)
 * `spacingMs` apart and records when it wrote each one (wall clock, the same clock a page on this
 * machine reads), so the bench can time a token from upstream to a screen. Models for the run's
 * model lookup. Only what a run needs; the protocol's edge cases are the fake upstream's job.
 */
export interface BenchUpstream {
	url: string;
	/** Each request's send times, by token text. */
	sentAt: Map<string, number>;
	set(stream: { tokens: number; spacingMs: number }): void;
	close(): Promise<void>;
}

export async function startBenchUpstream(): Promise<BenchUpstream> {
	let plan = { tokens: 5, spacingMs: 0 };
	const sentAt = new Map<string, number>();
	let counter = 0;
	const server = http.createServer((req, res) => {
		if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					data: [
						{
							type: 'model',
							id: 'bench-model',
							display_name: 'Bench model',
							created_at: '2026-01-01T00:00:00Z',
							lifecycle: 'active',
							line: 'sonnet',
							max_input_tokens: 200_000,
							max_tokens: 8192
						}
					],
					has_more: false,
					first_id: 'bench-model',
					last_id: 'bench-model'
				})
			);
			return;
		}
		req.resume();
		req.on('end', () => void stream(res));
	});
	const send = (res: http.ServerResponse, event: string, data: object) =>
		res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
	async function stream(res: http.ServerResponse) {
		const { tokens, spacingMs } = plan;
		const run = ++counter;
		res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': `req_${run}` });
		send(res, 'message_start', {
			message: {
				id: `msg_${run}`,
				type: 'message',
				role: 'assistant',
				content: [],
				model: 'bench-model',
				stop_reason: null,
				stop_sequence: null,
				usage: { input_tokens: 10, output_tokens: 0 }
			}
		});
		send(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
		for (let i = 0; i < tokens; i++) {
			if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
			const text = `r${run}t${i} `;
			sentAt.set(text.trim(), Date.now());
			send(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
		}
		send(res, 'content_block_stop', { index: 0 });
		send(res, 'message_delta', {
			delta: { stop_reason: 'end_turn', stop_sequence: null },
			usage: { output_tokens: tokens }
		});
		send(res, 'message_stop', {});
		res.end();
	}
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		sentAt,
		set: (next) => (plan = next),
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
