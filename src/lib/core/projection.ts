import * as Y from 'yjs';
import * as answers from './answers.js';
import { approvalOf } from './tools/approval.js';
import type { AnswerStatus, BlockRow, MessageRow, ProjectRow, Role, SessionRow } from './rows.js';
import * as shapes from './shapes.js';
import { untitledSession } from './title.js';

/*
 * The projection from documents to query rows. Pure: the store writes what these return, in the
 * same IndexedDB transaction as the document updates they were computed from.
 */

export interface Projected<Row> {
	rows: Row[];
	/** Ids recorded as deleted: their rows, documents and children must be purged. */
	deleted: string[];
}

export function projectRows(accountDoc: Y.Doc): Projected<ProjectRow> {
	const deleted = shapes.deletedProjects(accountDoc);
	const rows: ProjectRow[] = [];
	shapes.projects(accountDoc).forEach((entry, id) => {
		if (deleted.has(id)) return;
		rows.push({
			id,
			name: asString(entry.get('name'), 'Untitled project'),
			createdAt: asNumber(entry.get('createdAt'))
		});
	});
	return { rows, deleted: [...deleted.keys()] };
}

export function sessionRows(projectId: string, projectDoc: Y.Doc): Projected<SessionRow> {
	const deleted = shapes.deletedSessions(projectDoc);
	const rows: SessionRow[] = [];
	shapes.sessions(projectDoc).forEach((entry, id) => {
		if (deleted.has(id)) return;
		const title = entry.get('title');
		const createdAt = asNumber(entry.get('createdAt'));
		const row: SessionRow = {
			id,
			projectId,
			title: typeof title === 'string' ? title : asString(entry.get('autoTitle'), untitledSession),
			renamed: typeof title === 'string',
			createdAt,
			lastActivity: asNumber(entry.get('lastActivity'), createdAt)
		};
		for (const link of shapes.sessionLinkFields) {
			const value = entry.get(link);
			if (typeof value === 'string') row[link] = value;
		}
		rows.push(row);
	});
	return { rows, deleted: [...deleted.keys()] };
}

export function messageRow(sessionId: string, seq: number, entry: Y.Map<unknown>): MessageRow {
	const text = entry.get('text');
	const role: Role = entry.get('role') === 'assistant' ? 'assistant' : 'user';
	const row: MessageRow = {
		id: asString(entry.get('id'), `${sessionId}:${seq}`),
		sessionId,
		seq,
		role,
		text: text instanceof Y.Text ? text.toString() : '',
		createdAt: asNumber(entry.get('createdAt'))
	};
	if (role === 'user') {
		const ask = answers.askStatus(entry);
		if (ask) {
			row.ask = ask;
			row.attempt = answers.attemptOf(entry);
		}
		const summaryOf = entry.get('summaryOf');
		if (typeof summaryOf === 'string') row.summaryOf = summaryOf;
		if (entry.get('kind') === 'command') row.kind = 'command';
		return row;
	}
	return Object.assign(row, answerFields(entry, row.text));
}

const answerStatuses = new Set(['streaming', 'done', 'stopped', 'interrupted', 'failed']);

/** What an answer entry adds to its row; anything malformed is left out, never thrown. */
function answerFields(entry: Y.Map<unknown>, legacyText: string): Partial<MessageRow> {
	const fields: Partial<MessageRow> = {};
	const blocks = entry.get('blocks');
	if (blocks instanceof Y.Array) {
		fields.blocks = (blocks.toArray() as unknown[])
			.filter((b): b is Y.Map<unknown> => b instanceof Y.Map)
			.map(blockRow);
		fields.text = fields.blocks
			.flatMap((b) => (b.type === 'text' && b.text.length > 0 ? [b.text] : []))
			.join('\n\n');
	} else {
		fields.text = legacyText;
	}
	const replyTo = entry.get('replyTo');
	if (typeof replyTo === 'string') fields.replyTo = replyTo;
	const status = entry.get('status');
	if (typeof status === 'string' && answerStatuses.has(status)) {
		fields.status = status as AnswerStatus;
	}
	const model = entry.get('model');
	if (typeof model === 'string') fields.model = model;
	const stopReason = entry.get('stopReason');
	if (typeof stopReason === 'string') fields.stopReason = stopReason;
	const usage = entry.get('usage');
	if (isRecord(usage)) {
		fields.usage = {
			input: asNumber(usage.input),
			output: asNumber(usage.output),
			cacheRead: asNumber(usage.cacheRead),
			cacheWrite: asNumber(usage.cacheWrite)
		};
	}
	const error = entry.get('error');
	if (isRecord(error) && typeof error.message === 'string') {
		fields.error = { kind: asString(error.kind, 'unknown'), message: error.message };
		if (typeof error.retryAfterSeconds === 'number') {
			fields.error.retryAfterSeconds = error.retryAfterSeconds;
		}
	}
	const notice = entry.get('notice');
	if (typeof notice === 'string') fields.notice = notice;
	return fields;
}

function blockRow(block: Y.Map<unknown>): BlockRow {
	const type = block.get('type');
	if (type === 'text') return { type, text: answers.blockText(block)?.toString() ?? '' };
	if (type === 'thinking') {
		const signature = block.get('signature');
		return {
			type,
			thinking: answers.blockText(block)?.toString() ?? '',
			...(typeof signature === 'string' ? { signature } : {})
		};
	}
	if (type === 'tool_use') {
		const status = block.get('status');
		const row: BlockRow = {
			type,
			id: asString(block.get('id'), ''),
			name: asString(block.get('name'), 'tool'),
			input: block.get('input'),
			status: status === 'done' || status === 'error' ? status : 'running'
		};
		const result = block.get('result');
		if (result instanceof Y.Text) row.result = result.toString();
		else if (typeof result === 'string') row.result = result;
		if (block.get('isError') === true) row.isError = true;
		const startedAt = block.get('startedAt');
		if (typeof startedAt === 'number') row.startedAt = startedAt;
		const endedAt = block.get('endedAt');
		if (typeof endedAt === 'number') row.endedAt = endedAt;
		const diff = block.get('diff');
		if (typeof diff === 'string') row.diff = diff;
		const approval = approvalOf(block.get('approval'));
		if (approval) row.approval = approval;
		const expiresAt = block.get('approvalExpiresAt');
		if (typeof expiresAt === 'number') row.approvalExpiresAt = expiresAt;
		return row;
	}
	return { type: 'other', raw: type === 'other' ? block.get('raw') : block.toJSON() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageRows(sessionId: string, sessionDoc: Y.Doc, fromSeq = 0): MessageRow[] {
	const list = shapes.messages(sessionDoc);
	const rows: MessageRow[] = [];
	for (let seq = fromSeq; seq < list.length; seq++) {
		rows.push(messageRow(sessionId, seq, list.get(seq)));
	}
	return rows;
}

/**
 * What a batch of changes to a session doc means for its message rows: rows from `fromSeq` on
 * must be rewritten (messages were inserted or removed there), and the listed entries changed
 * in place (their text grew, for example).
 */
export interface MessageChanges {
	fromSeq: number | undefined;
	edited: Set<Y.Map<unknown>>;
}

export function emptyMessageChanges(): MessageChanges {
	return { fromSeq: undefined, edited: new Set() };
}

/** Folds one transaction's deep events on the messages array into `changes`. */
export function collectMessageChanges(
	changes: MessageChanges,
	events: Y.YEvent<Y.AbstractType<unknown>>[],
	list: Y.Array<Y.Map<unknown>>
): void {
	for (const event of events) {
		if (event.target === list) {
			let index = 0;
			for (const op of event.changes.delta) {
				if (op.retain !== undefined) {
					index += op.retain;
					continue;
				}
				changes.fromSeq = Math.min(changes.fromSeq ?? index, index);
				break;
			}
			continue;
		}
		// A change inside a message: walk up to the message entry itself.
		let type: Y.AbstractType<unknown> | null = event.target;
		while (type && type.parent !== list) type = type.parent as Y.AbstractType<unknown> | null;
		if (type instanceof Y.Map) changes.edited.add(type);
	}
}

/** Rows to write and the position from which older rows must go, for collected changes. */
export function applyMessageChanges(
	sessionId: string,
	sessionDoc: Y.Doc,
	changes: MessageChanges
): { fromSeq: number | undefined; rows: MessageRow[] } {
	const list = shapes.messages(sessionDoc);
	const rows =
		changes.fromSeq === undefined ? [] : messageRows(sessionId, sessionDoc, changes.fromSeq);
	if (changes.edited.size > 0) {
		const limit = changes.fromSeq ?? list.length;
		const all = list.toArray();
		for (let seq = 0; seq < limit; seq++) {
			const entry = all[seq];
			if (entry && changes.edited.has(entry)) rows.push(messageRow(sessionId, seq, entry));
		}
	}
	return { fromSeq: changes.fromSeq, rows };
}

function asString(value: unknown, fallback: string): string {
	return typeof value === 'string' ? value : fallback;
}

function asNumber(value: unknown, fallback = 0): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
