/**
 * The request checks the real API makes that Tether can trip over, worded like the API's
 * `invalid_request_error` messages. Above all the pairing rule: every `tool_use` in an
 * assistant message needs its `tool_result` in the very next user message, and every
 * `tool_result` must answer a `tool_use` of the message just before it.
 */

interface Block {
	type?: unknown;
	id?: unknown;
	tool_use_id?: unknown;
}

interface Message {
	role?: unknown;
	content?: unknown;
}

const blocksOf = (m: Message | undefined): Block[] =>
	m && Array.isArray(m.content) ? (m.content as Block[]) : [];

const idsOf = (blocks: Block[], type: string, key: 'id' | 'tool_use_id') =>
	blocks.filter((b) => b?.type === type).map((b) => String(b[key]));

/** Returns the API's message for the first problem, or null when the request is acceptable. */
export function checkMessagesRequest(body: unknown): string | null {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return 'Request body must be a JSON object';
	}
	const req = body as Record<string, unknown>;
	if (typeof req.model !== 'string') return 'model: Field required';
	if (typeof req.max_tokens !== 'number' || !Number.isInteger(req.max_tokens)) {
		return 'max_tokens: Field required';
	}
	if (req.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
	if (!Array.isArray(req.messages)) return 'messages: Field required';
	const messages = req.messages as Message[];
	for (const [i, m] of messages.entries()) {
		if (m?.role !== 'user' && m?.role !== 'assistant') {
			return `messages.${i}.role: Input should be 'user' or 'assistant'`;
		}
		if (typeof m.content !== 'string' && !Array.isArray(m.content)) {
			return `messages.${i}.content: Field required`;
		}
	}
	for (const [i, m] of messages.entries()) {
		const previous = messages[i - 1];
		if (m.role === 'user') {
			const asked = new Set(
				previous?.role === 'assistant' ? idsOf(blocksOf(previous), 'tool_use', 'id') : []
			);
			for (const [j, block] of blocksOf(m).entries()) {
				if (block?.type === 'tool_result' && !asked.has(String(block.tool_use_id))) {
					return (
						`messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` ` +
						`blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a ` +
						`corresponding \`tool_use\` block in the previous message.`
					);
				}
			}
		}
		if (m.role !== 'assistant') continue;
		const uses = idsOf(blocksOf(m), 'tool_use', 'id');
		if (!uses.length) continue;
		const next = messages[i + 1];
		const answered = new Set(
			next?.role === 'user' ? idsOf(blocksOf(next), 'tool_result', 'tool_use_id') : []
		);
		const missing = uses.filter((id) => !answered.has(id));
		if (missing.length) {
			return (
				`messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately ` +
				`after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding ` +
				`\`tool_result\` block in the next message.`
			);
		}
	}
	return null;
}

/** The text of the last user message, for the default echo answer. */
export function lastUserText(body: unknown): string {
	const messages = (body as { messages?: Message[] }).messages ?? [];
	const last = [...messages].reverse().find((m) => m.role === 'user');
	if (!last) return '';
	if (typeof last.content === 'string') return last.content;
	return blocksOf(last)
		.map((b) => (b.type === 'text' ? String((b as { text?: unknown }).text ?? '') : ''))
		.join('');
}
