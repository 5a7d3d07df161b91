import type { MessageRow, SessionRow } from '../rows.js';
import type { ExportedMessage, ExportedSession } from './schema.js';

/** A session's rows (as the app stores them) in export shape: nothing device-local, nothing live. */
export function exportedSession(session: SessionRow, rows: MessageRow[]): ExportedSession {
	return {
		title: session.title,
		renamed: session.renamed,
		createdAt: session.createdAt,
		lastActivity: session.lastActivity,
		messages: [...rows].sort((a, b) => a.seq - b.seq).map(exportedMessage)
	};
}

export function exportedMessage(row: MessageRow): ExportedMessage {
	const message: ExportedMessage = {
		id: row.id,
		role: row.role,
		text: row.text,
		createdAt: row.createdAt
	};
	if (row.role === 'user') {
		if (row.kind === 'command') message.kind = 'command';
		// A waiting or running ask is live state of this device's run; a file never asks again.
		if (row.ask) {
			message.ask = 'answered';
			message.attempt = row.attempt ?? 1;
		}
		return message;
	}
	if (row.replyTo !== undefined) message.replyTo = row.replyTo;
	if (row.status !== undefined) {
		message.status = row.status === 'streaming' ? 'interrupted' : row.status;
	}
	if (row.blocks !== undefined) message.blocks = row.blocks.map(settledBlock);
	if (row.model !== undefined) message.model = row.model;
	if (row.usage !== undefined) message.usage = { ...row.usage };
	if (row.stopReason !== undefined) message.stopReason = row.stopReason;
	if (row.error !== undefined) message.error = { ...row.error };
	return message;
}

/** A tool call still running when exported ended without a result as far as the file knows. */
function settledBlock(block: NonNullable<MessageRow['blocks']>[number]) {
	if (block.type !== 'tool_use' || block.status !== 'running') return block;
	return { ...block, status: 'error' as const, isError: true };
}
