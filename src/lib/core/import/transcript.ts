/**
 * What an import of someone's history produces, whatever tool wrote it: sessions with their main
 * thread, and a report of what was imported and what was not. Pure data, no Tether ids yet: the
 * caller decides where sessions go (project, ids) when it writes them.
 */

/** One conversation of the source tool (for Claude Code: one `sessionId`). */
export interface ImportedSession {
	/** The source tool's id for the session, to recognise a second import of the same one. */
	sourceSessionId: string;
	/**
	 * The title the source tool gave it (a rename wins over a generated title), or undefined:
	 * then the caller derives one from the first message like any other session.
	 */
	title: string | undefined;
	/** The working directory the session started in. */
	cwd?: string;
	/** The git branch the session started on. */
	gitBranch?: string;
	/** Milliseconds since the epoch, the earliest and latest timestamp of the session's lines. */
	createdAt: number;
	updatedAt: number;
	/** The main thread, in order. Sub-agent conversations and abandoned branches are not here. */
	messages: ImportedMessage[];
}

/**
 * Non-text content (images, documents, anything not understood) exactly as the source held it:
 * kept so that nothing is lost, even when the caller cannot show it yet.
 */
export type ImportedAttachment = unknown;

export type ImportedMessage = ImportedUserMessage | ImportedAssistantMessage;

export interface ImportedUserMessage {
	role: 'user';
	createdAt: number;
	text: string;
	/**
	 * `prompt`: what the person typed. `command`: a slash command or its output (`/model`,
	 * `Kept model as Default`), to be shown as a small note. `compact-summary`: the summary the
	 * source tool wrote when it compacted the conversation; the thread goes on after it.
	 */
	kind: 'prompt' | 'command' | 'compact-summary';
	/** Pasted images and other non-text blocks of the prompt. */
	attachments?: ImportedAttachment[];
}

export interface ImportedAssistantMessage {
	role: 'assistant';
	createdAt: number;
	model?: string;
	stopReason?: string;
	/** Token use of the one API response this message is (never a sum over its lines). */
	usage?: ImportedUsage;
	blocks: ImportedBlock[];
}

export interface ImportedUsage {
	input: number;
	output: number;
	cacheRead: number;
	cacheWrite: number;
}

export type ImportedBlock =
	| { type: 'text'; text: string }
	| { type: 'thinking'; thinking: string; signature?: string }
	| ImportedToolCall
	/** Any other block (server tool use, web search results, redacted thinking...): kept as is. */
	| { type: 'unknown'; raw: unknown };

/** A tool call record: the call and, once the tool answered, its result. */
export interface ImportedToolCall {
	type: 'tool_use';
	id: string;
	name: string;
	input: unknown;
	result?: ImportedToolResult;
}

export interface ImportedToolResult {
	/** The text the tool returned (text parts joined by newlines). */
	content: string;
	isError: boolean;
	/** When the result arrived, ms since the epoch. */
	at?: number;
	/** Non-text parts of the result (an image a Read returned). */
	attachments?: ImportedAttachment[];
}

/** What an import did with every line it read. Counts are lines unless named otherwise. */
export interface ImportReport {
	/** Sessions imported (with at least one message). */
	sessions: number;
	/** Messages over all sessions. */
	messages: number;
	/** Tool call records over all sessions. */
	toolCalls: number;
	/** Non-empty lines read. */
	lines: number;
	/** Lines that could not be used (malformed, wrong shape, too long), by reason. */
	skippedLines: number;
	skippedReasons: Record<string, number>;
	/** Lines of the main thread not shown because they are meta (reminders, caveats, interruptions). */
	hiddenMetaLines: number;
	/** Lines of sub-agent conversations, kept out of the main thread. */
	sidechainLines: number;
	/** Message lines on abandoned branches (rewound or edited away), not imported. */
	offThreadLines: number;
	/** Tool results whose call is nowhere in the session, not imported. */
	unmatchedToolResults: number;
}

export interface ImportResult {
	sessions: ImportedSession[];
	report: ImportReport;
}

/** Reasons a line was skipped, as counted in `ImportReport.skippedReasons`. */
export type SkipReason =
	| 'invalid-json'
	| 'not-an-object'
	| 'no-type'
	| 'invalid-message'
	| 'duplicate-uuid'
	| 'line-too-long';
