/**
 * The content of one Claude Code line, read into what Tether shows: assistant blocks, the visible
 * part of a user line (a prompt, a command note, or nothing when it is meta), tool results.
 * Every field is optional and of unknown type; whatever is not understood is kept as is.
 */
import type {
	ImportedAttachment,
	ImportedBlock,
	ImportedToolResult,
	ImportedUsage
} from './transcript.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOr(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** ISO text (or ms) to ms since the epoch; undefined when absent or unreadable. */
export function timeOf(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string') return undefined;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? undefined : ms;
}

function count(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function usageOf(value: unknown): ImportedUsage | undefined {
	if (!isObject(value)) return undefined;
	return {
		input: count(value.input_tokens),
		output: count(value.output_tokens),
		cacheRead: count(value.cache_read_input_tokens),
		cacheWrite: count(value.cache_creation_input_tokens)
	};
}

/** Content as a list of blocks: a string is one text block, a bare string in a list is text. */
function blocksOf(content: string | unknown[]): unknown[] {
	return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function asBlock(block: unknown): unknown {
	return typeof block === 'string' ? { type: 'text', text: block } : block;
}

/** Assistant content blocks; anything but text, thinking and tool use is kept as `unknown`. */
export function assistantBlocks(content: string | unknown[]): ImportedBlock[] {
	return blocksOf(content).map((item): ImportedBlock => {
		const block = asBlock(item);
		if (isObject(block)) {
			if (block.type === 'text' && typeof block.text === 'string') {
				return { type: 'text', text: block.text };
			}
			if (block.type === 'thinking' && typeof block.thinking === 'string') {
				const signature = stringOr(block.signature);
				return signature === undefined
					? { type: 'thinking', thinking: block.thinking }
					: { type: 'thinking', thinking: block.thinking, signature };
			}
			if (block.type === 'tool_use' && typeof block.id === 'string') {
				return {
					type: 'tool_use',
					id: block.id,
					name: stringOr(block.name) ?? '',
					input: block.input
				};
			}
		}
		return { type: 'unknown', raw: item };
	});
}

/** What a user (or `local_command` system) line shows. */
export type Visible = { kind: 'hidden' } | Shown;

interface Shown {
	kind: 'prompt' | 'command' | 'compact-summary';
	text: string;
	attachments: ImportedAttachment[];
}

/** A user line: its tool results (joined to their calls later) and what it shows. */
export interface UserContent {
	results: { toolUseId: string; result: ImportedToolResult }[];
	visible: Visible | undefined;
}

const hiddenPrefixes = [
	'<system-reminder>',
	'<local-command-caveat>',
	'Caveat:',
	'[Request interrupted'
];

function isMetaText(text: string): boolean {
	const start = text.trimStart();
	return hiddenPrefixes.some((prefix) => start.startsWith(prefix));
}

function tag(text: string, name: string): string | undefined {
	const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text);
	return match?.[1];
}

// Terminal colour codes Claude Code keeps in command output (`\u001b[1m`).
// eslint-disable-next-line no-control-regex
const ansiEscape = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * A slash command (`<command-name>/model</command-name><command-args>...`), its output
 * (`<local-command-stdout>`), or a shell escape (`<bash-input>`, `<bash-stdout>`), as the text
 * of a command note; '' for a command wrapper with nothing in it; undefined for other text.
 */
export function commandText(text: string): string | undefined {
	const name = tag(text, 'command-name');
	if (name !== undefined) {
		const args = tag(text, 'command-args')?.trim() ?? '';
		return args ? `${name.trim()} ${args}` : name.trim();
	}
	const bashInput = tag(text, 'bash-input');
	if (bashInput !== undefined) return `! ${bashInput.trim()}`;
	const start = text.trimStart();
	for (const output of ['local-command-stdout', 'local-command-stderr', 'bash-stdout']) {
		if (!start.startsWith(`<${output}>`)) continue;
		const parts = ['local-command-stdout', 'local-command-stderr', 'bash-stdout', 'bash-stderr']
			.map((name) => tag(text, name))
			.filter((part): part is string => part !== undefined);
		return parts.join('\n').replace(ansiEscape, '').trim();
	}
	return undefined;
}

/** Text of a user line to what it shows: a command note, a prompt, or hidden meta. */
export function visibleText(text: string): Visible {
	const command = commandText(text);
	if (command !== undefined) {
		return command ? { kind: 'command', text: command, attachments: [] } : { kind: 'hidden' };
	}
	if (isMetaText(text)) return { kind: 'hidden' };
	return { kind: 'prompt', text, attachments: [] };
}

function toolResult(block: Json, at: number | undefined): ImportedToolResult {
	const texts: string[] = [];
	const attachments: ImportedAttachment[] = [];
	const content = block.content;
	if (typeof content === 'string') texts.push(content);
	else if (Array.isArray(content)) {
		for (const item of content) {
			const part = asBlock(item);
			if (isObject(part) && part.type === 'text' && typeof part.text === 'string') {
				texts.push(part.text);
			} else attachments.push(item);
		}
	} else if (content !== undefined && content !== null) attachments.push(content);
	const result: ImportedToolResult = {
		content: texts.join('\n'),
		isError: block.is_error === true
	};
	if (at !== undefined) result.at = at;
	if (attachments.length > 0) result.attachments = attachments;
	return result;
}

/**
 * A user line's content. `isMeta` hides it whole; a compact summary is shown as such; otherwise
 * tool results are taken apart from the text, and the text decides between prompt, command and
 * hidden (a line of only tool results shows nothing: `visible` is undefined).
 */
export function userContent(
	content: string | unknown[],
	flags: { isMeta: boolean; isCompactSummary: boolean; at: number | undefined }
): UserContent {
	const results: UserContent['results'] = [];
	const texts: string[] = [];
	const attachments: ImportedAttachment[] = [];
	for (const item of blocksOf(content)) {
		const block = asBlock(item);
		if (isObject(block) && block.type === 'tool_result' && typeof block.tool_use_id === 'string') {
			results.push({ toolUseId: block.tool_use_id, result: toolResult(block, flags.at) });
		} else if (isObject(block) && block.type === 'text' && typeof block.text === 'string') {
			texts.push(block.text);
		} else attachments.push(item);
	}
	if (flags.isMeta) return { results, visible: { kind: 'hidden' } };
	if (flags.isCompactSummary) {
		return { results, visible: { kind: 'compact-summary', text: texts.join('\n\n'), attachments } };
	}
	// Meta text (a reminder, a caveat) can sit next to the prompt in the same line: drop only it.
	const shown = texts
		.filter((text) => text.trim() !== '')
		.map(visibleText)
		.filter((v): v is Shown => v.kind !== 'hidden');
	if (shown.length === 0 && attachments.length === 0) {
		const hadText = texts.some((text) => text.trim() !== '');
		return { results, visible: hadText ? { kind: 'hidden' } : undefined };
	}
	const kind = shown.some((v) => v.kind === 'command') ? 'command' : 'prompt';
	const text = shown.map((v) => v.text).join('\n\n');
	return { results, visible: { kind, text, attachments } };
}
