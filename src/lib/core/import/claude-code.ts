/**
 * Claude Code transcripts (`~/.claude/projects/**\/<session>.jsonl`) to imported sessions.
 * Feed it lines with `add`, then `finish`. It keeps only what the import needs from each line
 * (never the line itself), so memory follows the conversation, not the file. The rules, with
 * their ids, are in docs/SPEC.md [IM]; the mapping is described in docs/IMPORT.md.
 */
import {
	assistantBlocks,
	isObject,
	stringOr,
	timeOf,
	usageOf,
	userContent,
	visibleText,
	type Json,
	type Visible
} from './claude-code-content.js';
import type {
	ImportedBlock,
	ImportedMessage,
	ImportedSession,
	ImportedToolResult,
	ImportedUsage,
	ImportReport,
	ImportResult,
	SkipReason
} from './transcript.js';

/** A line with a place in the conversation tree: a message, a system event or a bookkeeping link. */
interface Node {
	key: string;
	/** Position in the file: decides "newest" and "the line before". */
	order: number;
	kind: 'user' | 'assistant' | 'system' | 'link';
	/** `parentUuid`; undefined when null or absent. */
	parent: string | undefined;
	/** `logicalParentUuid` of a compaction boundary: the history before it. */
	logicalParent: string | undefined;
	/** The line of the same session just before this one in the file. */
	previous: Node | undefined;
	at: number | undefined;
	/** Assistant lines: the API response (`message.id`) they are part of. */
	group?: string;
	/** User and system lines: what they show; undefined when nothing (only tool results). */
	visible?: Visible;
}

/** The lines of one API response, merged. */
interface AssistantGroup {
	at: number | undefined;
	model?: string;
	stopReason?: string;
	usage?: ImportedUsage;
	blocks: ImportedBlock[];
}

interface SessionLines {
	id: string;
	nodes: Map<string, Node>;
	/** The newest line, of any kind, for "the line before". */
	last: Node | undefined;
	/** The newest user, assistant or system line: the leaf unless a summary says otherwise. */
	newest: Node | undefined;
	groups: Map<string, AssistantGroup>;
	/** Tool results by `tool_use_id`; the first one wins. */
	results: Map<string, ImportedToolResult>;
	cwd?: string;
	gitBranch?: string;
	firstAt: number | undefined;
	lastAt: number | undefined;
}

/** A `summary`, `custom-title`, `ai-title` or `last-prompt` line. */
interface Marker {
	order: number;
	sessionId: string | undefined;
	leafUuid: string | undefined;
	title: { rank: TitleRank; text: string } | undefined;
}

/** A rename by the person wins over a generated title, which wins over an old-style summary. */
const TitleRank = { summary: 1, ai: 2, custom: 3 } as const;
type TitleRank = (typeof TitleRank)[keyof typeof TitleRank];

export interface ClaudeCodeParserOptions {
	/** Session id for lines that carry none (e.g. the file name); default 'unknown'. */
	defaultSessionId?: string;
}

export class ClaudeCodeParser {
	private readonly defaultSessionId: string;
	private readonly sessions = new Map<string, SessionLines>();
	private readonly markers: Marker[] = [];
	private order = 0;
	private lines = 0;
	private sidechainLines = 0;
	private readonly skipped: Record<string, number> = {};
	private syntheticKeys = 0;

	constructor(options: ClaudeCodeParserOptions = {}) {
		this.defaultSessionId = options.defaultSessionId ?? 'unknown';
	}

	/** Counts a line the reader could not hand over (e.g. longer than its limit). */
	skip(reason: SkipReason, lines = 1): void {
		this.lines += lines;
		this.skipped[reason] = (this.skipped[reason] ?? 0) + lines;
	}

	add(line: string): void {
		if (line.trim() === '') return;
		const order = this.order++;
		this.lines++;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			return this.count('invalid-json');
		}
		if (!isObject(value)) return this.count('not-an-object');
		const type = value.type;
		if (typeof type !== 'string') return this.count('no-type');
		switch (type) {
			case 'summary':
				return this.mark(value, order, value.summary, TitleRank.summary);
			case 'custom-title':
				return this.mark(value, order, value.customTitle, TitleRank.custom);
			case 'ai-title':
				return this.mark(value, order, value.aiTitle ?? value.title, TitleRank.ai);
			case 'last-prompt':
				return this.mark(value, order, undefined, TitleRank.summary);
		}
		if (value.isSidechain === true) {
			this.sidechainLines++;
			return;
		}
		if (type === 'user' || type === 'assistant') return this.addMessage(value, type, order);
		if (type === 'system') {
			const node = this.addNode(value, 'system', order);
			if (node) node.visible = systemVisible(value);
			return;
		}
		// Progress, attachments and whatever comes next: a link in the chain when it has a uuid,
		// else bookkeeping (file history snapshots, queue operations) with nothing to import.
		if (typeof value.uuid === 'string') this.addNode(value, 'link', order);
	}

	finish(): ImportResult {
		const report: ImportReport = {
			sessions: 0,
			messages: 0,
			toolCalls: 0,
			lines: this.lines,
			skippedLines: Object.values(this.skipped).reduce((a, b) => a + b, 0),
			skippedReasons: { ...this.skipped },
			hiddenMetaLines: 0,
			sidechainLines: this.sidechainLines,
			offThreadLines: 0,
			unmatchedToolResults: 0
		};
		const sessions: ImportedSession[] = [];
		for (const lines of this.sessions.values()) {
			const session = this.rebuild(lines, report);
			if (session.messages.length === 0) continue;
			sessions.push(session);
			report.sessions++;
			report.messages += session.messages.length;
		}
		return { sessions, report };
	}

	private count(reason: SkipReason): void {
		this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
	}

	private mark(value: Json, order: number, title: unknown, rank: TitleRank): void {
		const text = typeof title === 'string' ? title.trim() : '';
		this.markers.push({
			order,
			sessionId: stringOr(value.sessionId),
			leafUuid: stringOr(value.leafUuid),
			title: text ? { rank, text } : undefined
		});
	}

	private session(id: string): SessionLines {
		let session = this.sessions.get(id);
		if (!session) {
			session = {
				id,
				nodes: new Map(),
				last: undefined,
				newest: undefined,
				groups: new Map(),
				results: new Map(),
				firstAt: undefined,
				lastAt: undefined
			};
			this.sessions.set(id, session);
		}
		return session;
	}

	private addNode(value: Json, kind: Node['kind'], order: number): Node | undefined {
		const session = this.session(stringOr(value.sessionId) ?? this.defaultSessionId);
		const key = stringOr(value.uuid) ?? `#${this.syntheticKeys++}`;
		if (session.nodes.has(key)) {
			this.count('duplicate-uuid');
			return undefined;
		}
		const at = timeOf(value.timestamp);
		const node: Node = {
			key,
			order,
			kind,
			parent: stringOr(value.parentUuid),
			logicalParent: stringOr(value.logicalParentUuid),
			previous: session.last,
			at
		};
		session.nodes.set(key, node);
		session.last = node;
		if (kind !== 'link') session.newest = node;
		if (at !== undefined) {
			session.firstAt = Math.min(session.firstAt ?? at, at);
			session.lastAt = Math.max(session.lastAt ?? at, at);
		}
		session.cwd ??= stringOr(value.cwd);
		session.gitBranch ??= stringOr(value.gitBranch);
		return node;
	}

	private addMessage(value: Json, type: 'user' | 'assistant', order: number): void {
		const message = value.message;
		const content = isObject(message) ? message.content : undefined;
		if (!isObject(message) || !(typeof content === 'string' || Array.isArray(content))) {
			return this.count('invalid-message');
		}
		const node = this.addNode(value, type, order);
		if (!node) return;
		const session = this.session(stringOr(value.sessionId) ?? this.defaultSessionId);
		if (type === 'user') {
			const { results, visible } = userContent(content, {
				isMeta: value.isMeta === true,
				isCompactSummary: value.isCompactSummary === true,
				at: node.at
			});
			for (const { toolUseId, result } of results) {
				if (!session.results.has(toolUseId)) session.results.set(toolUseId, result);
			}
			node.visible = visible;
			return;
		}
		// The CLI writes one line per content block; the lines of one response share message.id.
		const groupKey = stringOr(message.id) ?? node.key;
		node.group = groupKey;
		let group = session.groups.get(groupKey);
		if (!group) {
			group = { at: node.at, blocks: [] };
			session.groups.set(groupKey, group);
		}
		group.model ??= stringOr(message.model);
		group.stopReason = stringOr(message.stop_reason) ?? group.stopReason;
		// Every line repeats the response's usage: take it (the latest), never add it up.
		group.usage = usageOf(message.usage) ?? group.usage;
		group.blocks.push(...assistantBlocks(content));
	}

	/** One session's main thread, its title, and its share of the report. */
	private rebuild(lines: SessionLines, report: ImportReport): ImportedSession {
		const path = this.thread(lines);
		const onPath = new Set(path);
		const messages: ImportedMessage[] = [];
		const emitted = new Set<string>();
		let lastAt = lines.firstAt ?? 0;
		for (const node of path) {
			const at = node.at ?? lastAt;
			lastAt = at;
			if (node.group !== undefined) {
				if (emitted.has(node.group)) continue;
				emitted.add(node.group);
				const group = lines.groups.get(node.group);
				if (group) messages.push(assistantMessage(group, group.at ?? at));
			} else if (node.visible?.kind === 'hidden') {
				report.hiddenMetaLines++;
			} else if (node.visible) {
				const { kind, text, attachments } = node.visible;
				messages.push({
					role: 'user',
					createdAt: at,
					text,
					kind,
					...(attachments.length > 0 ? { attachments } : {})
				});
			}
		}
		for (const node of lines.nodes.values()) {
			if (onPath.has(node)) continue;
			const shown = node.visible !== undefined && node.visible.kind !== 'hidden';
			const unmergedAnswer = node.group !== undefined && !emitted.has(node.group);
			if (node.kind === 'user' ? shown : unmergedAnswer) report.offThreadLines++;
		}
		// Tool results join their call by id, wherever in the session they are (parallel results
		// hang off different lines of the response, not off the thread).
		const joined = new Set<string>();
		for (const message of messages) {
			if (message.role !== 'assistant') continue;
			for (const block of message.blocks) {
				if (block.type !== 'tool_use') continue;
				report.toolCalls++;
				const result = lines.results.get(block.id);
				if (result) {
					block.result = result;
					joined.add(block.id);
				}
			}
		}
		for (const id of lines.results.keys()) if (!joined.has(id)) report.unmatchedToolResults++;
		const session: ImportedSession = {
			sourceSessionId: lines.id,
			title: this.title(lines),
			createdAt: lines.firstAt ?? 0,
			updatedAt: lines.lastAt ?? 0,
			messages
		};
		if (lines.cwd !== undefined) session.cwd = lines.cwd;
		if (lines.gitBranch !== undefined) session.gitBranch = lines.gitBranch;
		return session;
	}

	/**
	 * The main thread: from the leaf back through `parentUuid` to the root, then reversed. Where a
	 * line has no usable parent (a compaction boundary, older files without links), the walk goes
	 * on through `logicalParentUuid`, else through the line before it in the file.
	 */
	private thread(lines: SessionLines): Node[] {
		const newest = lines.newest;
		const marked = this.markedLeaf(lines);
		if (marked === undefined) return newest ? walk(lines, newest) : [];
		if (newest !== undefined && newest.order > marked.order) {
			// The conversation went on after the summary was written: keep it all.
			const fromNewest = walk(lines, newest);
			if (fromNewest.includes(marked)) return fromNewest;
		}
		return walk(lines, marked);
	}

	/** The leaf named by the newest summary or last-prompt line that points into this session. */
	private markedLeaf(lines: SessionLines): Node | undefined {
		let leaf: { node: Node; order: number } | undefined;
		for (const marker of this.markers) {
			if (marker.leafUuid === undefined) continue;
			if (marker.sessionId !== undefined && marker.sessionId !== lines.id) continue;
			const node = lines.nodes.get(marker.leafUuid);
			if (node && (leaf === undefined || marker.order > leaf.order)) {
				leaf = { node, order: marker.order };
			}
		}
		return leaf?.node;
	}

	/**
	 * The best title among the lines that belong to this session: by `sessionId`, else by their
	 * `leafUuid`, else (when the file holds one session) the file's.
	 */
	private title(lines: SessionLines): string | undefined {
		let best: { rank: TitleRank; order: number; text: string } | undefined;
		for (const marker of this.markers) {
			if (!marker.title) continue;
			if (!this.belongs(marker, lines)) continue;
			const { rank, text } = marker.title;
			if (!best || rank > best.rank || (rank === best.rank && marker.order > best.order)) {
				best = { rank, order: marker.order, text };
			}
		}
		return best?.text;
	}

	private belongs(marker: Marker, lines: SessionLines): boolean {
		if (marker.sessionId !== undefined) return marker.sessionId === lines.id;
		if (marker.leafUuid !== undefined) {
			const owner = [...this.sessions.values()].find((s) => s.nodes.has(marker.leafUuid ?? ''));
			if (owner) return owner === lines;
		}
		return this.sessions.size === 1;
	}
}

function walk(lines: SessionLines, leaf: Node): Node[] {
	const path: Node[] = [];
	const seen = new Set<Node>();
	let node: Node | undefined = leaf;
	while (node !== undefined && !seen.has(node)) {
		seen.add(node);
		path.push(node);
		node = parentOf(lines, node);
	}
	return path.reverse();
}

function parentOf(lines: SessionLines, node: Node): Node | undefined {
	const parent = node.parent === undefined ? undefined : lines.nodes.get(node.parent);
	if (parent) return parent;
	const logical =
		node.logicalParent === undefined ? undefined : lines.nodes.get(node.logicalParent);
	return logical ?? node.previous;
}

function assistantMessage(group: AssistantGroup, createdAt: number): ImportedMessage {
	return {
		role: 'assistant',
		createdAt,
		...(group.model !== undefined ? { model: group.model } : {}),
		...(group.stopReason !== undefined ? { stopReason: group.stopReason } : {}),
		...(group.usage !== undefined ? { usage: group.usage } : {}),
		blocks: group.blocks
	};
}

/** A `local_command` system line is a command note (or hidden); other system events show nothing. */
function systemVisible(value: Json): Visible | undefined {
	if (value.subtype !== 'local_command' || typeof value.content !== 'string') return undefined;
	if (value.isMeta === true) return { kind: 'hidden' };
	const visible = visibleText(value.content);
	return visible.kind === 'prompt' ? { ...visible, kind: 'command' } : visible;
}

/** Parses a whole transcript given as lines (tests, small files). */
export function parseClaudeCodeLines(
	lines: Iterable<string>,
	options?: ClaudeCodeParserOptions
): ImportResult {
	const parser = new ClaudeCodeParser(options);
	for (const line of lines) parser.add(line);
	return parser.finish();
}
