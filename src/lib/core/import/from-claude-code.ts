/**
 * A Claude Code session (as the parser read it) in Tether's export shape, so that one writer puts
 * both kinds of import into documents. Tool results join their calls as tool call records; an
 * answer replies to the person's message before it.
 */
import type { BlockRow } from '../rows.js';
import type { ExportedMessage, ExportedSession } from '../export/schema.js';
import { deriveTitle } from '../title.js';
import type { ImportedBlock, ImportedSession } from './transcript.js';

export function claudeCodeSession(session: ImportedSession): ExportedSession {
	const messages: ExportedMessage[] = [];
	let lastPrompt: string | undefined;
	session.messages.forEach((message, index) => {
		const id = `m${index + 1}`;
		if (message.role === 'user') {
			const note = message.kind === 'command';
			messages.push({
				id,
				role: 'user',
				text: message.text,
				createdAt: message.createdAt,
				...(note ? { kind: 'command' as const } : {})
			});
			// An answer replies to the prompt before it, not to a command note in between.
			if (!note) lastPrompt = id;
			return;
		}
		const blocks = message.blocks.map(block);
		const answer: ExportedMessage = {
			id,
			role: 'assistant',
			text: blocks
				.flatMap((b) => (b.type === 'text' && b.text.length > 0 ? [b.text] : []))
				.join('\n\n'),
			createdAt: message.createdAt,
			status: 'done',
			blocks
		};
		if (lastPrompt !== undefined) answer.replyTo = lastPrompt;
		if (message.model !== undefined) answer.model = message.model;
		if (message.usage !== undefined) answer.usage = { ...message.usage };
		if (message.stopReason !== undefined) answer.stopReason = message.stopReason;
		messages.push(answer);
	});
	const firstPrompt = session.messages.find((m) => m.role === 'user' && m.kind === 'prompt');
	return {
		title: session.title ?? deriveTitle(firstPrompt?.role === 'user' ? firstPrompt.text : ''),
		renamed: session.title !== undefined,
		createdAt: session.createdAt,
		lastActivity: session.updatedAt,
		messages,
		importedFrom: `claude-code:${session.sourceSessionId}:${messages.length}`
	};
}

/** How Claude Code's tool result begins when the person rejected the call. */
const rejectedByPerson = "The user doesn't want to proceed with this tool use.";

function block(imported: ImportedBlock): BlockRow {
	switch (imported.type) {
		case 'text':
			return { type: 'text', text: imported.text };
		case 'thinking':
			return {
				type: 'thinking',
				thinking: imported.thinking,
				...(imported.signature !== undefined ? { signature: imported.signature } : {})
			};
		case 'tool_use': {
			const result = imported.result;
			const row: BlockRow = {
				type: 'tool_use',
				id: imported.id,
				name: imported.name,
				input: imported.input ?? null,
				// A call whose result never came (the session ended first) did not finish.
				status: result && !result.isError ? 'done' : 'error'
			};
			if (result) {
				row.result = result.content;
				if (result.isError) row.isError = true;
				// The person said no in Claude Code: shown as declined, as a denied approval is here.
				if (result.isError && result.content.startsWith(rejectedByPerson)) row.approval = 'denied';
				if (result.at !== undefined) row.endedAt = result.at;
			} else {
				row.isError = true;
			}
			return row;
		}
		default:
			return { type: 'other', raw: imported.raw };
	}
}
