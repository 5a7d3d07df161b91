import type Anthropic from '@anthropic-ai/sdk';
import type { AnswerEnd } from '../../src/lib/core/answers.js';
import type { Usage } from '../../src/lib/core/rows.js';
import type { AnswerWriter } from './answer-writer.js';
import { abortErrors, cutShort, describeRunError, type AbortReason } from './errors.js';

export type MessageParams = Omit<Anthropic.MessageCreateParamsStreaming, 'stream'>;

export interface ToolCall {
	/** The API's content block index: where the call's record is in the answer. */
	index: number;
	id: string;
	name: string;
	/** Parsed from the streamed JSON; undefined when it could not be parsed. */
	input: unknown;
	/** Why the input is unusable, when it is. */
	inputError?: string;
}

export interface StreamedAnswer {
	end: AnswerEnd;
	toolCalls: ToolCall[];
}

export interface StreamOptions {
	client: Anthropic;
	params: MessageParams;
	writer: AnswerWriter;
	/** Aborting it ends the request; `reason()` tells why (Stop, a stall, shutdown). */
	controller: AbortController;
	reason: () => AbortReason | undefined;
	abort: (reason: AbortReason) => void;
	/** No event for this long after the headers means a stalled stream (R19). */
	idleMs: number;
}

/**
 * Streams one answer from the API into the writer: blocks as they start, text as it arrives,
 * tool input parsed when its block ends, usage as running totals. Never throws: however the
 * stream ends (done, Stop, an API error, a cut or a stalled connection), the partial answer is
 * kept and the end says how it ended.
 */
export async function streamAnswer(options: StreamOptions): Promise<StreamedAnswer> {
	const { writer } = options;
	const usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
	const toolInputs = new Map<number, { index: number; id: string; name: string; json: string }>();
	const toolCalls: ToolCall[] = [];
	let stopReason: string | undefined;
	let stopped = false;
	let started = false;
	let idle: ReturnType<typeof setTimeout> | undefined;
	const watch = () => {
		clearTimeout(idle);
		idle = setTimeout(() => options.abort('stall'), options.idleMs);
	};
	try {
		const stream = await options.client.messages.create(
			{ ...options.params, stream: true },
			{ signal: options.controller.signal }
		);
		writer.setNotice(undefined);
		watch();
		for await (const event of stream) {
			watch();
			switch (event.type) {
				case 'message_start':
					started = true;
					addUsage(usage, event.message.usage);
					writer.setUsage({ ...usage });
					break;
				case 'content_block_start': {
					const block = event.content_block;
					if (block.type === 'text') {
						writer.startBlock(event.index, { type: 'text' });
						writer.appendText(event.index, block.text);
					} else if (block.type === 'thinking') {
						writer.startBlock(event.index, { type: 'thinking' });
						writer.appendText(event.index, block.thinking);
					} else if (block.type === 'tool_use') {
						writer.startBlock(event.index, { type: 'tool_use', id: block.id, name: block.name });
						toolInputs.set(event.index, {
							index: event.index,
							id: block.id,
							name: block.name,
							json: ''
						});
					} else {
						// Server tool calls, results and whatever comes next: kept, shown generically.
						writer.startBlock(event.index, { type: 'other', raw: block });
					}
					break;
				}
				case 'content_block_delta': {
					const delta = event.delta;
					if (delta.type === 'text_delta') writer.appendText(event.index, delta.text);
					else if (delta.type === 'thinking_delta') writer.appendText(event.index, delta.thinking);
					else if (delta.type === 'signature_delta') {
						writer.setBlockField(event.index, 'signature', delta.signature);
					} else if (delta.type === 'input_json_delta') {
						const tool = toolInputs.get(event.index);
						if (tool) tool.json += delta.partial_json;
					}
					break;
				}
				case 'content_block_stop': {
					const tool = toolInputs.get(event.index);
					if (tool) {
						const call = parseToolInput(tool);
						toolCalls.push(call);
						writer.setBlockField(event.index, 'input', call.input ?? {});
					}
					break;
				}
				case 'message_delta':
					stopReason = event.delta.stop_reason ?? stopReason;
					addUsage(usage, event.usage);
					writer.setUsage({ ...usage });
					break;
				case 'message_stop':
					stopped = true;
					break;
			}
		}
	} catch (error) {
		const reason = options.reason();
		// Refused before anything streamed (401, 429 after the SDK's retry...): failed, not cut.
		const status = started ? 'interrupted' : 'failed';
		if (!reason) return { end: { status, usage, error: describeRunError(error) }, toolCalls };
		return { end: aborted(reason, usage), toolCalls };
	} finally {
		clearTimeout(idle);
	}
	const reason = options.reason();
	if (reason) return { end: aborted(reason, usage), toolCalls };
	if (!stopped) return { end: { status: 'interrupted', usage, error: cutShort }, toolCalls };
	return { end: { status: 'done', usage, ...(stopReason ? { stopReason } : {}) }, toolCalls };
}

function aborted(reason: AbortReason, usage: Usage): AnswerEnd {
	if (reason === 'stop') return { status: 'stopped', usage };
	return { status: 'interrupted', usage, error: abortErrors[reason] };
}

function parseToolInput(tool: { index: number; id: string; name: string; json: string }): ToolCall {
	const { index, id, name } = tool;
	if (tool.json.trim() === '') return { index, id, name, input: {} };
	try {
		return { index, id, name, input: JSON.parse(tool.json) as unknown };
	} catch {
		return {
			index,
			id: tool.id,
			name: tool.name,
			input: undefined,
			inputError: 'The tool input sent by the API was not valid JSON.'
		};
	}
}

/** Usage figures are running totals: the latest non-null value of each wins. */
function addUsage(
	usage: Usage,
	from: {
		input_tokens?: number | null;
		output_tokens?: number | null;
		cache_read_input_tokens?: number | null;
		cache_creation_input_tokens?: number | null;
	}
): void {
	usage.input = from.input_tokens ?? usage.input;
	usage.output = from.output_tokens ?? usage.output;
	usage.cacheRead = from.cache_read_input_tokens ?? usage.cacheRead;
	usage.cacheWrite = from.cache_creation_input_tokens ?? usage.cacheWrite;
}
