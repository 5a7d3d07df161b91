import * as Y from 'yjs';
import type { AnswerStatus, AskStatus, RunError, Usage } from './rows.js';
import { messages } from './shapes.js';

/*
 * The shapes of asking for and streaming an answer in a session document, and the only code that
 * writes them (the app asks, the server's run answers).
 *
 * person's message:  {id, role: 'user', createdAt, text: Y.Text, ask?: AskStatus, attempt?: number}
 *                     (a compacted session's first one also has summaryOf: the session to summarize)
 * answer:            {id, role: 'assistant', createdAt, replyTo, model, status: AnswerStatus,
 *                     blocks: Y.Array<Y.Map>, usage?, stopReason?, error?, notice?}
 * block:             {type: 'text', text: Y.Text} | {type: 'thinking', thinking: Y.Text, signature?}
 *                    | {type: 'tool_use', id, name, input?, status, result?, isError?, startedAt?,
 *                       endedAt?} | {type: 'other', raw}
 *
 * Text that grows as it streams is a Y.Text, so each batch stores only what was added; the few
 * fields written more than once (status, usage, ask) are small.
 */

export function findMessage(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
	const list = messages(doc);
	// Newest first: the messages a run looks for are almost always at the end.
	for (let i = list.length - 1; i >= 0; i--) {
		const entry = list.get(i);
		if (entry.get('id') === id) return entry;
	}
	return undefined;
}

export function askStatus(entry: Y.Map<unknown>): AskStatus | undefined {
	const ask = entry.get('ask');
	return ask === 'waiting' || ask === 'queued' || ask === 'running' || ask === 'answered'
		? ask
		: undefined;
}

export function attemptOf(entry: Y.Map<unknown>): number {
	const attempt = entry.get('attempt');
	return typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? attempt : 1;
}

export function setAsk(entry: Y.Map<unknown>, ask: AskStatus): void {
	if (entry.get('ask') !== ask) entry.set('ask', ask);
}

/** Retry: the message waits for an answer again, as the next attempt. */
export function askAgain(entry: Y.Map<unknown>): void {
	transact(entry, () => {
		entry.set('attempt', attemptOf(entry) + 1);
		entry.set('ask', 'waiting');
	});
}

export interface NewAnswer {
	id: string;
	replyTo: string;
	model: string;
	createdAt: number;
}

/**
 * Adds an empty, streaming answer right after the message it answers (and that message's earlier
 * answers), so a message the person sent meanwhile stays after it: the document's order is the
 * conversation's. Its blocks are added as they arrive.
 */
export function startAnswer(doc: Y.Doc, answer: NewAnswer): Y.Map<unknown> {
	const entry = new Y.Map<unknown>();
	doc.transact(() => {
		entry.set('id', answer.id);
		entry.set('role', 'assistant');
		entry.set('createdAt', answer.createdAt);
		entry.set('replyTo', answer.replyTo);
		entry.set('model', answer.model);
		entry.set('status', 'streaming' satisfies AnswerStatus);
		entry.set('blocks', new Y.Array<Y.Map<unknown>>());
		const list = messages(doc);
		list.insert(answerPosition(list, answer.replyTo), [entry]);
	});
	return entry;
}

function answerPosition(list: Y.Array<Y.Map<unknown>>, replyTo: string): number {
	const all = list.toArray();
	let at = all.findIndex((m) => m.get('id') === replyTo);
	if (at < 0) return all.length;
	while (at + 1 < all.length && all[at + 1]!.get('replyTo') === replyTo) at++;
	return at + 1;
}

export function blocksOf(answer: Y.Map<unknown>): Y.Array<Y.Map<unknown>> {
	const blocks = answer.get('blocks');
	if (blocks instanceof Y.Array) return blocks as Y.Array<Y.Map<unknown>>;
	const created = new Y.Array<Y.Map<unknown>>();
	answer.set('blocks', created);
	return created;
}

export type NewBlock =
	| { type: 'text' }
	| { type: 'thinking' }
	| { type: 'tool_use'; id: string; name: string }
	| { type: 'other'; raw: unknown };

export function addBlock(answer: Y.Map<unknown>, block: NewBlock): Y.Map<unknown> {
	const entry = new Y.Map<unknown>();
	entry.set('type', block.type);
	if (block.type === 'text') entry.set('text', new Y.Text());
	if (block.type === 'thinking') entry.set('thinking', new Y.Text());
	if (block.type === 'tool_use') {
		entry.set('id', block.id);
		entry.set('name', block.name);
		entry.set('status', 'running');
	}
	if (block.type === 'other') entry.set('raw', block.raw);
	blocksOf(answer).push([entry]);
	return entry;
}

/** The growing text of a text or thinking block. */
export function blockText(block: Y.Map<unknown>): Y.Text | undefined {
	const text = block.get(block.get('type') === 'thinking' ? 'thinking' : 'text');
	return text instanceof Y.Text ? text : undefined;
}

export interface AnswerEnd {
	status: Exclude<AnswerStatus, 'streaming'>;
	stopReason?: string;
	usage?: Usage;
	error?: RunError;
}

/** Ends an answer however it ended; the partial text stays. */
export function finishAnswer(answer: Y.Map<unknown>, end: AnswerEnd): void {
	transact(answer, () => {
		answer.set('status', end.status);
		if (end.stopReason) answer.set('stopReason', end.stopReason);
		if (end.usage) answer.set('usage', end.usage);
		if (end.error) answer.set('error', end.error);
		if (answer.has('notice')) answer.delete('notice');
	});
}

export function setNotice(answer: Y.Map<unknown>, notice: string | undefined): void {
	if (notice === undefined) {
		if (answer.has('notice')) answer.delete('notice');
	} else if (answer.get('notice') !== notice) answer.set('notice', notice);
}

/** One transaction when the entry is in a document; a detached entry just changes. */
function transact(entry: Y.Map<unknown>, change: () => void): void {
	if (entry.doc) entry.doc.transact(change);
	else change();
}
