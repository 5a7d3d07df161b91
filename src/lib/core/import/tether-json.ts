/**
 * Reads a Tether export (docs/EXPORT.md) back: the parsed JSON is checked field by field and
 * answered with the export or a sentence saying what is wrong. Nothing is trusted: every field is
 * checked for its type, text for lone surrogates, and sizes are bounded, so a hostile file cannot
 * make the app write something the rest of the code does not expect.
 */
import { checkContent, MAX_FILES, normalizePath } from '../files.js';
import type { BlockRow, RunError, Usage } from '../rows.js';
import { hasLoneSurrogate } from '../text.js';
import { approvalOf } from '../tools/approval.js';
import {
	exportVersion,
	projectFormat,
	sessionFormat,
	type ExportedMessage,
	type ExportedProject,
	type ExportedSession,
	type TetherExport
} from '../export/schema.js';

/** Most sessions one project file may bring, and messages one session may hold. */
export const maxImportSessions = 5000;
export const maxImportMessages = 100_000;

export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

class Invalid extends Error {}

export function readTetherExport(value: unknown): Read<TetherExport> {
	try {
		const file = record(value, 'The file');
		if (file.format !== sessionFormat && file.format !== projectFormat) {
			throw new Invalid(
				'it is JSON, but not a Tether export (no "format": "tether.session" or "tether.project").'
			);
		}
		if (file.version !== exportVersion) {
			throw new Invalid(
				`it is a Tether export of version ${String(file.version)}, which this app cannot read.`
			);
		}
		const exportedAt = time(file.exportedAt, 'exportedAt');
		if (file.format === sessionFormat) {
			return {
				ok: true,
				value: {
					format: sessionFormat,
					version: exportVersion,
					exportedAt,
					session: session(file.session)
				}
			};
		}
		return {
			ok: true,
			value: {
				format: projectFormat,
				version: exportVersion,
				exportedAt,
				project: project(file.project)
			}
		};
	} catch (error) {
		if (error instanceof Invalid) return { ok: false, error: error.message };
		throw error;
	}
}

function project(value: unknown): ExportedProject {
	const p = record(value, 'project');
	const files = record(p.files, 'project.files');
	const checkedFiles: Record<string, string> = {};
	const entries = Object.entries(files);
	if (entries.length > MAX_FILES) throw new Invalid(`it holds more than ${MAX_FILES} files.`);
	for (const [rawPath, content] of entries) {
		const path = normalizePath(rawPath);
		if (!path.ok) throw new Invalid(`a file path is not valid: ${path.error}`);
		const checked = checkContent(path.value, text(content, `the file "${path.value}"`));
		if (!checked.ok) throw new Invalid(checked.error);
		checkedFiles[path.value] = checked.value;
	}
	const sessions = array(p.sessions, 'project.sessions');
	if (sessions.length > maxImportSessions) {
		throw new Invalid(`it holds more than ${maxImportSessions} sessions.`);
	}
	return {
		name: nonEmpty(text(p.name, 'project.name'), 'project.name'),
		createdAt: time(p.createdAt, 'project.createdAt'),
		info: text(p.info, 'project.info'),
		files: checkedFiles,
		sessions: sessions.map(session)
	};
}

function session(value: unknown): ExportedSession {
	const s = record(value, 'session');
	const messages = array(s.messages, 'session.messages');
	if (messages.length > maxImportMessages) {
		throw new Invalid(`a session holds more than ${maxImportMessages} messages.`);
	}
	const seen = new Set<string>();
	const checked = messages.map((m) => {
		const one = message(m);
		if (seen.has(one.id)) throw new Invalid(`two messages share the id "${one.id}".`);
		seen.add(one.id);
		return one;
	});
	return {
		title: nonEmpty(text(s.title, 'session.title'), 'session.title'),
		renamed: s.renamed === true,
		createdAt: time(s.createdAt, 'session.createdAt'),
		lastActivity: time(s.lastActivity, 'session.lastActivity'),
		messages: checked
	};
}

const endStatuses = new Set(['done', 'stopped', 'interrupted', 'failed']);

function message(value: unknown): ExportedMessage {
	const m = record(value, 'a message');
	const role = m.role;
	if (role !== 'user' && role !== 'assistant') throw new Invalid('a message has no valid role.');
	const out: ExportedMessage = {
		id: nonEmpty(text(m.id, 'message id'), 'message id'),
		role,
		text: text(m.text, 'message text'),
		createdAt: time(m.createdAt, 'message createdAt')
	};
	if (role === 'user') {
		if (m.kind !== undefined) {
			if (m.kind !== 'command') throw new Invalid('a message has an unknown kind.');
			out.kind = 'command';
		}
		if (m.ask !== undefined) {
			out.ask = 'answered';
			out.attempt = m.attempt === undefined ? 1 : positiveInteger(m.attempt, 'attempt');
		}
		return out;
	}
	if (m.replyTo !== undefined) out.replyTo = text(m.replyTo, 'replyTo');
	if (m.status !== undefined) {
		if (typeof m.status !== 'string' || !endStatuses.has(m.status)) {
			throw new Invalid('an answer has an unknown status.');
		}
		out.status = m.status as ExportedMessage['status'];
	}
	if (m.blocks !== undefined) out.blocks = array(m.blocks, 'blocks').map(block);
	if (m.model !== undefined) out.model = text(m.model, 'model');
	if (m.usage !== undefined) out.usage = usage(m.usage);
	if (m.stopReason !== undefined) out.stopReason = text(m.stopReason, 'stopReason');
	if (m.error !== undefined) out.error = runError(m.error);
	return out;
}

function block(value: unknown): BlockRow {
	const b = record(value, 'a block');
	switch (b.type) {
		case 'text':
			return { type: 'text', text: text(b.text, 'block text') };
		case 'thinking':
			return {
				type: 'thinking',
				thinking: text(b.thinking, 'thinking'),
				...(b.signature !== undefined ? { signature: text(b.signature, 'signature') } : {})
			};
		case 'tool_use': {
			const status = b.status === 'done' || b.status === 'error' ? b.status : 'error';
			const row: BlockRow = {
				type: 'tool_use',
				id: text(b.id, 'tool call id'),
				name: nonEmpty(text(b.name, 'tool name'), 'tool name'),
				input: b.input ?? null,
				status
			};
			if (b.result !== undefined) row.result = text(b.result, 'tool result');
			if (b.isError === true || status === 'error') row.isError = true;
			if (b.startedAt !== undefined) row.startedAt = number(b.startedAt, 'startedAt');
			if (b.endedAt !== undefined) row.endedAt = number(b.endedAt, 'endedAt');
			// How a person settled a file change; a file never holds one still waiting.
			if (b.approval !== undefined) {
				const approval = approvalOf(b.approval);
				if (!approval || approval === 'pending') {
					throw new Invalid('a tool call has an unknown approval.');
				}
				row.approval = approval;
			}
			return row;
		}
		case 'other':
			return { type: 'other', raw: b.raw ?? null };
		default:
			throw new Invalid('an answer holds a block of an unknown type.');
	}
}

function usage(value: unknown): Usage {
	const u = record(value, 'usage');
	return {
		input: tokens(u.input, 'usage.input'),
		output: tokens(u.output, 'usage.output'),
		cacheRead: tokens(u.cacheRead, 'usage.cacheRead'),
		cacheWrite: tokens(u.cacheWrite, 'usage.cacheWrite')
	};
}

function runError(value: unknown): RunError {
	const e = record(value, 'error');
	const out: RunError = {
		kind: text(e.kind, 'error.kind'),
		message: text(e.message, 'error.message')
	};
	if (e.retryAfterSeconds !== undefined)
		out.retryAfterSeconds = number(e.retryAfterSeconds, 'retryAfterSeconds');
	return out;
}

function record(value: unknown, what: string): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Invalid(`${what} is not an object.`);
	}
	return value as Record<string, unknown>;
}

function array(value: unknown, what: string): unknown[] {
	if (!Array.isArray(value)) throw new Invalid(`${what} is not a list.`);
	return value;
}

function text(value: unknown, what: string): string {
	if (typeof value !== 'string') throw new Invalid(`${what} is not text.`);
	if (hasLoneSurrogate(value)) throw new Invalid(`${what} holds a broken character.`);
	return value;
}

function nonEmpty(value: string, what: string): string {
	if (value.trim().length === 0) throw new Invalid(`${what} is empty.`);
	return value;
}

function number(value: unknown, what: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value))
		throw new Invalid(`${what} is not a number.`);
	return value;
}

/** A token count: a whole number, never negative (a meter or a chart would show nonsense). */
function tokens(value: unknown, what: string): number {
	const n = number(value, what);
	if (!Number.isInteger(n) || n < 0) throw new Invalid(`${what} is not a count of tokens.`);
	return n;
}

/**
 * A time in ms since 1970, no later than a day from now: a session dated years ahead would stay
 * first in its list for ever.
 */
function time(value: unknown, what: string): number {
	const n = number(value, what);
	if (n < 0 || n > Date.now() + 24 * 60 * 60 * 1000) {
		throw new Invalid(`${what} is not a date between 1970 and today.`);
	}
	return n;
}

function positiveInteger(value: unknown, what: string): number {
	const n = number(value, what);
	if (!Number.isInteger(n) || n < 1) throw new Invalid(`${what} is not a positive whole number.`);
	return n;
}
