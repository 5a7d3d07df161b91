/**
 * Writes an exported or imported session into a fresh session document, in the same shapes the
 * app and the server's runs write (shapes.ts, answers.ts), with new ids for every message.
 */
import * as Y from 'yjs';
import type { BlockRow } from '../rows.js';
import * as shapes from '../shapes.js';
import type { ExportedMessage, ExportedSession } from '../export/schema.js';
import { slices } from '../slices.js';

/** The whole session in one transaction: the document holds all of it or nothing. */
export function writeSession(
	doc: Y.Doc,
	projectId: string,
	session: ExportedSession,
	newId: () => string
): void {
	for (const _slice of writeSessionInSlices(doc, projectId, session, newId, Infinity)) {
		// Each step wrote its slice; there is nothing to do between them here.
	}
}

/**
 * Slices of a session's messages, each written in one transaction when the generator is stepped:
 * a session read from a 100 MB transcript is then many bounded pieces of work (integrating,
 * encoding and storing each slice) that a page can run between frames, instead of one task that
 * freezes it. The document is whole once the generator is done; a caller that shows nothing of it
 * before then (an import adds the project's index entry last) never shows half a session.
 */
export function* writeSessionInSlices(
	doc: Y.Doc,
	projectId: string,
	session: ExportedSession,
	newId: () => string,
	/** About this many characters of text per slice (a slice holds at least one message). */
	sliceChars = 256 * 1024
): Generator<void> {
	const ids = new Map<string, string>();
	for (const message of session.messages) ids.set(message.id, newId());
	const list = shapes.messages(doc);
	const init = () => shapes.initSession(doc, projectId, session.createdAt);
	let started = false;
	for (const slice of slices(session.messages, messageChars, sliceChars)) {
		if (started) yield;
		doc.transact(() => {
			if (!started) init();
			list.push(slice.map((m) => messageEntry(m, ids)));
		});
		started = true;
	}
	// A session without messages is still a session.
	if (!started) doc.transact(init);
}

/** What a message weighs in a slice: its text, and its blocks' texts and tool records. */
function messageChars(message: ExportedMessage): number {
	if (message.role === 'user' || message.blocks === undefined) return 64 + message.text.length;
	let chars = 64;
	for (const block of message.blocks) {
		switch (block.type) {
			case 'text':
				chars += block.text.length;
				break;
			case 'thinking':
				chars += block.thinking.length;
				break;
			case 'tool_use':
				chars += JSON.stringify(block.input ?? null).length + (block.result?.length ?? 0);
				break;
			default:
				chars += JSON.stringify(block.raw ?? null).length;
		}
	}
	return chars;
}

function messageEntry(message: ExportedMessage, ids: Map<string, string>): Y.Map<unknown> {
	const entry = new Y.Map<unknown>();
	entry.set('id', ids.get(message.id)!);
	entry.set('role', message.role);
	entry.set('createdAt', message.createdAt);
	if (message.role === 'user') {
		entry.set('text', new Y.Text(message.text));
		if (message.kind === 'command') entry.set('kind', 'command');
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
			// A settled approval only: nothing imported waits for a person.
			if (block.approval !== undefined && block.approval !== 'pending') {
				entry.set('approval', block.approval);
			}
			break;
		default:
			entry.set('raw', block.raw ?? null);
	}
	return entry;
}
