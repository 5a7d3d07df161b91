/**
 * Writes an exported or imported session into a fresh session document, in the same shapes the
 * app and the server's runs write (shapes.ts, answers.ts), with new ids for every message. One
 * transaction: the document holds the whole session or nothing.
 */
import * as Y from 'yjs';
import type { BlockRow } from '../rows.js';
import * as shapes from '../shapes.js';
import type { ExportedMessage, ExportedSession } from '../export/schema.js';

export function writeSession(
	doc: Y.Doc,
	projectId: string,
	session: ExportedSession,
	newId: () => string
): void {
	const ids = new Map<string, string>();
	for (const message of session.messages) ids.set(message.id, newId());
	doc.transact(() => {
		shapes.initSession(doc, projectId, session.createdAt);
		shapes.messages(doc).push(session.messages.map((m) => messageEntry(m, ids)));
	});
}

function messageEntry(message: ExportedMessage, ids: Map<string, string>): Y.Map<unknown> {
	const entry = new Y.Map<unknown>();
	entry.set('id', ids.get(message.id)!);
	entry.set('role', message.role);
	entry.set('createdAt', message.createdAt);
	if (message.role === 'user') {
		entry.set('text', new Y.Text(message.text));
		if (message.ask) {
			entry.set('ask', message.ask);
			entry.set('attempt', message.attempt ?? 1);
		}
		return entry;
	}
	if (message.replyTo !== undefined) {
		// An answer to a message the file does not hold keeps no link rather than a dangling one.
		const replyTo = ids.get(message.replyTo);
		if (replyTo !== undefined) entry.set('replyTo', replyTo);
	}
	if (message.model !== undefined) entry.set('model', message.model);
	if (message.status !== undefined) entry.set('status', message.status);
	if (message.blocks !== undefined) {
		entry.set('blocks', Y.Array.from(message.blocks.map(blockEntry)));
	} else {
		entry.set('text', new Y.Text(message.text));
	}
	if (message.usage !== undefined) entry.set('usage', { ...message.usage });
	if (message.stopReason !== undefined) entry.set('stopReason', message.stopReason);
	if (message.error !== undefined) entry.set('error', { ...message.error });
	return entry;
}

function blockEntry(block: BlockRow): Y.Map<unknown> {
	const entry = new Y.Map<unknown>();
	entry.set('type', block.type);
	switch (block.type) {
		case 'text':
			entry.set('text', new Y.Text(block.text));
			break;
		case 'thinking':
			entry.set('thinking', new Y.Text(block.thinking));
			if (block.signature !== undefined) entry.set('signature', block.signature);
			break;
		case 'tool_use':
			entry.set('id', block.id);
			entry.set('name', block.name);
			entry.set('input', block.input ?? null);
			entry.set('status', block.status);
			if (block.result !== undefined) entry.set('result', block.result);
			if (block.isError) entry.set('isError', true);
			if (block.startedAt !== undefined) entry.set('startedAt', block.startedAt);
			if (block.endedAt !== undefined) entry.set('endedAt', block.endedAt);
			break;
		default:
			entry.set('raw', block.raw ?? null);
	}
	return entry;
}
