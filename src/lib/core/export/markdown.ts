import type { BlockRow } from '../rows.js';
import type { ExportedMessage, ExportedSession } from './schema.js';

/*
 * A session as Markdown for people: title, dates, each message under a heading, tool calls as
 * collapsible <details> with their input and output in fences long enough never to be closed by
 * what they hold. Text is written as it is (it is Markdown already), except inside <summary>,
 * where it is escaped as HTML, and that its own headings go below the message's heading.
 */

export function sessionMarkdown(session: ExportedSession): string {
	const parts = [
		`# ${oneLine(session.title)}`,
		`Created ${isoDate(session.createdAt)} · last activity ${isoDate(session.lastActivity)} · ${count(session.messages.length, 'message')}`
	];
	for (const message of session.messages) parts.push(messageMarkdown(message, 2));
	return parts.join('\n\n') + '\n';
}

/** One message; `level` > 0 adds a heading ("## You" / "## Claude") with its time. */
export function messageMarkdown(message: ExportedMessage, level = 0): string {
	const parts: string[] = [];
	if (message.kind === 'command') {
		// A command note is a quoted line, not a heading of its own: it was never a message.
		return message.text
			.split('\n')
			.map((line) => `> ${line}`.trimEnd())
			.join('\n');
	}
	if (level > 0) {
		const who = message.role === 'user' ? 'You' : 'Claude';
		parts.push(`${'#'.repeat(level)} ${who} · ${isoDate(message.createdAt)}`);
	}
	// Under "## Claude", an answer's "# Plan" becomes "### Plan": the outline stays the session's.
	const nested = (text: string) => (level > 0 ? demoteHeadings(text, level) : text);
	if (message.role === 'user' || message.blocks === undefined) {
		if (message.text.length > 0) parts.push(nested(message.text));
	} else {
		for (const block of message.blocks) {
			const written = block.type === 'text' ? nested(block.text) : blockMarkdown(block);
			if (written.length > 0) parts.push(written);
		}
	}
	if (message.error) parts.push(`> ${oneLine(message.error.message)}`);
	return parts.join('\n\n');
}

function blockMarkdown(block: BlockRow): string {
	switch (block.type) {
		case 'text':
			return block.text;
		case 'thinking':
			return details('Thinking', block.thinking.length > 0 ? fenced(block.thinking) : '');
		case 'tool_use': {
			const outcome = block.isError ? ' (error)' : block.status === 'running' ? ' (no result)' : '';
			const body = [`Input:\n\n${fenced(JSON.stringify(block.input ?? null, null, 2), 'json')}`];
			if (block.result !== undefined) body.push(`Output:\n\n${fenced(block.result)}`);
			return details(`Tool: ${block.name}${outcome}`, body.join('\n\n'));
		}
		default:
			return details('Other content', fenced(JSON.stringify(block.raw ?? null, null, 2), 'json'));
	}
}

/**
 * ATX headings of `text` (`#` to `######`, up to three spaces in) moved `by` levels down, at most
 * to level 6; lines inside fenced code blocks are left as they are.
 */
export function demoteHeadings(text: string, by: number): string {
	let fence: { char: string; length: number } | undefined;
	return text
		.split('\n')
		.map((line) => {
			const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
			if (fence) {
				const closes =
					marker !== undefined &&
					marker[0] === fence.char &&
					marker.length >= fence.length &&
					line.trim() === marker;
				if (closes) fence = undefined;
				return line;
			}
			// A backtick fence's info string may not hold a backtick; such a line is no fence.
			if (
				marker &&
				!(marker[0] === '`' && line.slice(line.indexOf(marker) + marker.length).includes('`'))
			) {
				fence = { char: marker[0]!, length: marker.length };
				return line;
			}
			return line.replace(
				/^( {0,3})(#{1,6})(?=[ \t]|$)/,
				(_, indent: string, hashes: string) => indent + '#'.repeat(Math.min(6, hashes.length + by))
			);
		})
		.join('\n');
}

function details(summary: string, body: string): string {
	return `<details>\n<summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`;
}

/** A code fence one backtick longer than any run of backticks in the text. */
export function fenced(text: string, language = ''): string {
	let longest = 0;
	for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
	const fence = '`'.repeat(Math.max(3, longest + 1));
	return `${fence}${language}\n${text}\n${fence}`;
}

function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function count(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

function isoDate(ms: number): string {
	const date = new Date(ms);
	return Number.isFinite(date.getTime()) ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '?';
}
