import type { BlockRow, MessageRow } from './rows.js';

/*
 * A session's messages as the Messages API wants them (structurally the SDK's MessageParam), and
 * the repair that makes any synced history acceptable (R21): roles alternate starting with the
 * user, every tool_use is answered by a tool_result in the very next message, no block is empty.
 */

export type ApiBlock =
	| { type: 'text'; text: string }
	| { type: 'thinking'; thinking: string; signature: string }
	| { type: 'tool_use'; id: string; name: string; input: unknown }
	| { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface ApiMessage {
	role: 'user' | 'assistant';
	content: ApiBlock[];
}

/** What a tool call that never got its result is answered with. */
export const interruptedToolResult = 'Tool call interrupted: no result was recorded.';

/**
 * The conversation up to (and including) the person's message `upTo`, as the next request's
 * messages. Answers that did not complete (interrupted, failed, still streaming) are shown to the
 * person but not sent: a retry asks again from what was really said.
 */
export function buildHistory(rows: readonly MessageRow[], upTo?: string): ApiMessage[] {
	const raw: ApiMessage[] = [];
	for (const row of rows) {
		if (row.role === 'user') {
			// A command note was never said to Claude.
			if (row.text.trim().length > 0 && row.kind !== 'command')
				raw.push({ role: 'user', content: [textBlock(row.text)] });
		} else if (row.status === undefined || row.status === 'done' || row.status === 'stopped') {
			const content = answerBlocks(row);
			if (content.length > 0) {
				raw.push({ role: 'assistant', content });
				const results = toolResults(row.blocks ?? []);
				if (results.length > 0) raw.push({ role: 'user', content: results });
			}
		}
		if (row.id === upTo) break;
	}
	return repair(raw);
}

function textBlock(text: string): ApiBlock {
	return { type: 'text', text };
}

function answerBlocks(row: MessageRow): ApiBlock[] {
	if (!row.blocks) return row.text.trim() ? [textBlock(row.text)] : [];
	const out: ApiBlock[] = [];
	for (const block of row.blocks) {
		const sent = apiBlock(block);
		if (sent) out.push(sent);
	}
	return out;
}

function apiBlock(block: BlockRow): ApiBlock | undefined {
	switch (block.type) {
		case 'text':
			return block.text.trim() ? textBlock(block.text) : undefined;
		case 'thinking':
			// Thinking is only accepted back with the signature the API gave it.
			return block.signature
				? { type: 'thinking', thinking: block.thinking, signature: block.signature }
				: undefined;
		case 'tool_use':
			return {
				type: 'tool_use',
				id: block.id,
				name: block.name,
				input: isObject(block.input) ? block.input : {}
			};
		default:
			return undefined;
	}
}

function toolResults(blocks: readonly BlockRow[]): ApiBlock[] {
	const out: ApiBlock[] = [];
	for (const block of blocks) {
		if (block.type !== 'tool_use') continue;
		const done = block.status !== 'running' && block.result !== undefined;
		out.push({
			type: 'tool_result',
			tool_use_id: block.id,
			content: done ? block.result || '(no output)' : interruptedToolResult,
			...(done && !block.isError ? {} : { is_error: true })
		});
	}
	return out;
}

/**
 * Makes a history acceptable to the API: same-role neighbours merge (a person's message right
 * after tool results joins them, results first), a tool_use without a result in the next message
 * gets an error result, a result without its tool_use is dropped, and the first message is the
 * person's.
 */
export function repair(messages: readonly ApiMessage[]): ApiMessage[] {
	const merged: ApiMessage[] = [];
	for (const message of messages) {
		const last = merged.at(-1);
		if (last && last.role === message.role) {
			last.content = orderResultsFirst([...last.content, ...message.content]);
		} else {
			merged.push({ role: message.role, content: [...message.content] });
		}
	}
	const out: ApiMessage[] = [];
	for (let i = 0; i < merged.length; i++) {
		const message = merged[i]!;
		if (message.role === 'assistant') {
			out.push(message);
			const uses = message.content.filter((b) => b.type === 'tool_use');
			if (uses.length === 0) continue;
			const next = merged[i + 1];
			const answered = new Set(
				(next?.role === 'user' ? next.content : []).flatMap((b) =>
					b.type === 'tool_result' ? [b.tool_use_id] : []
				)
			);
			const missing: ApiBlock[] = uses
				.filter((b) => !answered.has(b.id))
				.map((b) => ({
					type: 'tool_result',
					tool_use_id: b.id,
					content: interruptedToolResult,
					is_error: true
				}));
			if (missing.length === 0) continue;
			if (next?.role === 'user') next.content = orderResultsFirst([...missing, ...next.content]);
			else out.push({ role: 'user', content: missing });
			continue;
		}
		// A person's message: keep only results for the tool calls just before it.
		const previous = out.at(-1);
		const asked = new Set(
			previous?.role === 'assistant'
				? previous.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []))
				: []
		);
		const content = message.content.filter(
			(b) => b.type !== 'tool_result' || asked.has(b.tool_use_id)
		);
		if (content.length > 0) {
			const last = out.at(-1);
			if (last?.role === 'user') last.content = orderResultsFirst([...last.content, ...content]);
			else out.push({ role: 'user', content });
		}
	}
	// A message left empty (only stray results) joined its neighbours: an answer without tool
	// calls, so merging it with the next answer keeps every rule.
	for (let i = out.length - 1; i > 0; i--) {
		if (out[i]!.role === out[i - 1]!.role) {
			out[i - 1]!.content.push(...out[i]!.content);
			out.splice(i, 1);
		}
	}
	// The API wants the person first; an answer before any question has nothing to answer, and
	// results of a dropped answer's tool calls go with it.
	for (;;) {
		const first = out[0];
		if (!first) return out;
		if (first.role === 'user') {
			first.content = first.content.filter((b) => b.type !== 'tool_result');
			if (first.content.length > 0) return out;
		}
		out.shift();
	}
}

function orderResultsFirst(blocks: ApiBlock[]): ApiBlock[] {
	return [
		...blocks.filter((b) => b.type === 'tool_result'),
		...blocks.filter((b) => b.type !== 'tool_result')
	];
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
