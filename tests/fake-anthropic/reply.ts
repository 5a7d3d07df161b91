/**
 * A scripted answer and the Messages API events that carry it. Pure: no I/O, so the event
 * sequence can be checked on its own and replayed at any chunking.
 */
import { randomBytes } from 'node:crypto';

export type StopReason =
	| 'end_turn'
	| 'max_tokens'
	| 'stop_sequence'
	| 'tool_use'
	| 'pause_turn'
	| 'refusal'
	| 'model_context_window_exceeded';

export type ScriptedBlock =
	/** `deltas` are the text fragments as sent (default: cut in three); `citations` follow them. */
	| { type: 'text'; text: string; deltas?: string[]; citations?: Record<string, unknown>[] }
	/** `partialJson` are the `input_json_delta` fragments; default: '' then cuts mid-token. */
	| {
			type: 'tool_use';
			id?: string;
			name: string;
			input: Record<string, unknown>;
			partialJson?: string[];
	  }
	| { type: 'thinking'; thinking: string; signature?: string; deltas?: string[] };

/** How a stream ends early, after `afterEvent` events were sent (default: after the first delta). */
export interface Interruption {
	how: 'error-event' | 'close' | 'reset' | 'stall';
	afterEvent?: number;
	/** For `error-event`; default `overloaded_error` / "Overloaded". */
	error?: { type: string; message: string };
}

export interface ScriptedReply {
	/** Default: one text block echoing the last user message. */
	blocks?: ScriptedBlock[];
	/** Default: `tool_use` when a block is a tool call, else `end_turn`. */
	stopReason?: StopReason;
	stopSequence?: string | null;
	/** As the API reports it; the cache figures are 0 unless given. */
	usage?: {
		inputTokens?: number;
		outputTokens?: number;
		cacheReadTokens?: number;
		cacheWriteTokens?: number;
	};
	id?: string;
	/** Interleave `ping` events (after message_start and between every other event). */
	pings?: boolean;
	/** Add event and delta types the SDK does not know; clients must ignore them. */
	unknownEvents?: boolean;
	/** Cut the SSE bytes into pieces of these sizes (cycled), e.g. 1 to split inside UTF-8. */
	chunkBytes?: number | number[];
	/** Wait between pieces (ms): lets clients see a live stream and tests press Stop. */
	delayMs?: number;
	interrupt?: Interruption;
}

export interface SseEvent {
	event: string;
	data: Record<string, unknown>;
}

export const newId = (prefix: string) => `${prefix}_01${randomBytes(12).toString('base64url')}`;

/** Splits by code points so no fragment holds half a surrogate pair. */
export function cutText(text: string, pieces = 3): string[] {
	const chars = Array.from(text);
	if (chars.length <= 1) return [text];
	const size = Math.ceil(chars.length / pieces);
	const out: string[] = [];
	for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
	return out;
}

/** The API's first fragment is often empty; later cuts land inside keys and values. */
export function cutJson(json: string): string[] {
	if (json.length < 6) return ['', json];
	const a = 3;
	const b = Math.max(a + 1, Math.floor(json.length / 2));
	return ['', json.slice(0, a), json.slice(a, b), json.slice(b)];
}

const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function blockEvents(block: ScriptedBlock, index: number): SseEvent[] {
	const delta = (d: Record<string, unknown>): SseEvent => ({
		event: 'content_block_delta',
		data: { type: 'content_block_delta', index, delta: d }
	});
	const start = (content_block: Record<string, unknown>): SseEvent => ({
		event: 'content_block_start',
		data: { type: 'content_block_start', index, content_block }
	});
	const events: SseEvent[] = [];
	if (block.type === 'text') {
		events.push(start({ type: 'text', text: '' }));
		for (const text of block.deltas ?? cutText(block.text)) {
			events.push(delta({ type: 'text_delta', text }));
		}
		for (const citation of block.citations ?? []) {
			events.push(delta({ type: 'citations_delta', citation }));
		}
	} else if (block.type === 'tool_use') {
		events.push(
			start({ type: 'tool_use', id: block.id ?? newId('toolu'), name: block.name, input: {} })
		);
		for (const partial_json of block.partialJson ?? cutJson(JSON.stringify(block.input))) {
			events.push(delta({ type: 'input_json_delta', partial_json }));
		}
	} else {
		events.push(start({ type: 'thinking', thinking: '', signature: '' }));
		for (const thinking of block.deltas ?? cutText(block.thinking)) {
			events.push(delta({ type: 'thinking_delta', thinking }));
		}
		const signature = block.signature ?? randomBytes(48).toString('base64');
		events.push(delta({ type: 'signature_delta', signature }));
	}
	events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
	return events;
}

function blockText(block: ScriptedBlock): string {
	if (block.type === 'text') return block.text;
	if (block.type === 'thinking') return block.thinking;
	return JSON.stringify(block.input);
}

export function outputTokens(reply: ScriptedReply, blocks: ScriptedBlock[]): number {
	return reply.usage?.outputTokens ?? estimateTokens(blocks.map(blockText).join(''));
}

export function stopReasonOf(reply: ScriptedReply, blocks: ScriptedBlock[]): StopReason {
	return reply.stopReason ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

/** The full event sequence of a streamed answer, as the API sends it. */
export function replyEvents(
	reply: ScriptedReply,
	blocks: ScriptedBlock[],
	context: { model: string; inputTokens: number }
): SseEvent[] {
	const inputTokens = reply.usage?.inputTokens ?? context.inputTokens;
	const total = outputTokens(reply, blocks);
	const ping: SseEvent = { event: 'ping', data: { type: 'ping' } };
	const body: SseEvent[] = blocks.flatMap((block, index) => {
		const events = blockEvents(block, index);
		if (reply.unknownEvents) {
			// A delta type from the future, inside a known block: must be skipped, not fatal.
			events.splice(1, 0, {
				event: 'content_block_delta',
				data: { type: 'content_block_delta', index, delta: { type: 'future_delta', x: 1 } }
			});
		}
		return events;
	});
	const events: SseEvent[] = [
		{
			event: 'message_start',
			data: {
				type: 'message_start',
				message: {
					id: reply.id ?? newId('msg'),
					type: 'message',
					role: 'assistant',
					model: context.model,
					content: [],
					stop_reason: null,
					stop_sequence: null,
					usage: {
						input_tokens: inputTokens,
						cache_creation_input_tokens: reply.usage?.cacheWriteTokens ?? 0,
						cache_read_input_tokens: reply.usage?.cacheReadTokens ?? 0,
						output_tokens: 1
					}
				}
			}
		},
		...body,
		{
			event: 'message_delta',
			data: {
				type: 'message_delta',
				delta: {
					stop_reason: stopReasonOf(reply, blocks),
					stop_sequence: reply.stopSequence ?? null
				},
				// Running totals, not increments.
				usage: { output_tokens: total }
			}
		},
		{ event: 'message_stop', data: { type: 'message_stop' } }
	];
	if (reply.unknownEvents) {
		events.splice(1, 0, {
			event: 'future_event',
			data: { type: 'future_event', note: 'ignore me' }
		});
	}
	if (!reply.pings) return events;
	return events.flatMap((e, i) => (i % 2 === 0 ? [e, ping] : [e]));
}

/** The same answer as one non-streamed Message object. */
export function replyMessage(
	reply: ScriptedReply,
	blocks: ScriptedBlock[],
	context: { model: string; inputTokens: number }
) {
	return {
		id: reply.id ?? newId('msg'),
		type: 'message',
		role: 'assistant',
		model: context.model,
		content: blocks.map((b) => {
			if (b.type === 'text') {
				return b.citations
					? { type: 'text', text: b.text, citations: b.citations }
					: { type: 'text', text: b.text };
			}
			if (b.type === 'thinking') {
				return { type: 'thinking', thinking: b.thinking, signature: b.signature ?? 'sig' };
			}
			return { type: 'tool_use', id: b.id ?? newId('toolu'), name: b.name, input: b.input };
		}),
		stop_reason: stopReasonOf(reply, blocks),
		stop_sequence: reply.stopSequence ?? null,
		usage: {
			input_tokens: reply.usage?.inputTokens ?? context.inputTokens,
			cache_creation_input_tokens: reply.usage?.cacheWriteTokens ?? 0,
			cache_read_input_tokens: reply.usage?.cacheReadTokens ?? 0,
			output_tokens: outputTokens(reply, blocks)
		}
	};
}

export function encodeEvent(e: SseEvent): string {
	return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** Cuts bytes at the given sizes (cycled); sizes of 1 split every multi-byte character. */
export function chunk(bytes: Buffer, sizes: number | number[] | undefined): Buffer[] {
	if (sizes === undefined) return [bytes];
	const list = (Array.isArray(sizes) ? sizes : [sizes]).map((n) => Math.max(1, Math.floor(n)));
	const out: Buffer[] = [];
	for (let at = 0, i = 0; at < bytes.length; i++) {
		const size = list[i % list.length] ?? 1;
		out.push(bytes.subarray(at, at + size));
		at += size;
	}
	return out;
}
