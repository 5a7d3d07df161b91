/** The query rows the app keeps in IndexedDB, derived from the Yjs documents (never edited directly). */

export interface ProjectRow {
	id: string;
	name: string;
	createdAt: number;
}

export interface SessionRow {
	id: string;
	projectId: string;
	title: string;
	/** True once a person renamed it; until then the title follows the first message. */
	renamed: boolean;
	createdAt: number;
	lastActivity: number;
	/** Fork: the session this one copies (see core/session-links.ts). */
	forkedFrom?: string;
	/** Compact: the session this one summarizes and continues. */
	compactedFrom?: string;
	/** Compact: the session that continues this one from its summary (set once it was written). */
	continuedIn?: string;
}

export type Role = 'user' | 'assistant';

/**
 * Where a person's message stands with its answer: written `waiting` when sent, `queued` or
 * `running` by the server that accepted the run, `answered` once the run ended (however it ended).
 */
export type AskStatus = 'waiting' | 'queued' | 'running' | 'answered';

/** How an answer ended, or that it is still streaming. */
export type AnswerStatus = 'streaming' | 'done' | 'stopped' | 'interrupted' | 'failed';

export interface Usage {
	input: number;
	output: number;
	cacheRead: number;
	cacheWrite: number;
}

/** Why a run did not finish, in words; `kind` is stable for code, `message` is for people. */
export interface RunError {
	kind: string;
	message: string;
	retryAfterSeconds?: number;
}

export type ToolStatus = 'running' | 'done' | 'error';

/** One content block of an answer, as the API sent it (tool calls carry their record). */
export type BlockRow =
	| { type: 'text'; text: string }
	| { type: 'thinking'; thinking: string; signature?: string }
	| {
			type: 'tool_use';
			id: string;
			name: string;
			/** Undefined while the input is still streaming. */
			input: unknown;
			status: ToolStatus;
			result?: string;
			isError?: boolean;
			startedAt?: number;
			endedAt?: number;
			/** A unified diff of a file change (write, edit, delete, project information). */
			diff?: string;
			/** File changes waiting for, or settled by, a person (see core/tools/approval.ts). */
			approval?: 'pending' | 'approved' | 'denied' | 'expired' | 'ended';
			approvalExpiresAt?: number;
	  }
	| { type: 'other'; raw: unknown };

export interface MessageRow {
	id: string;
	sessionId: string;
	/** Position in the session's message array: the order of the conversation. */
	seq: number;
	role: Role;
	/** A person's message, or the text blocks of an answer joined. */
	text: string;
	createdAt: number;
	/** A person's message that asked for an answer. */
	ask?: AskStatus;
	/** Which try of the run (Retry asks again with the next one). */
	attempt?: number;
	/** A compacted session's request for a summary of this other session. */
	summaryOf?: string;
	/**
	 * A note of a command run in Claude Code (`/model`, its output), kept from an import: shown
	 * small and never sent to Claude, as it was never a prompt.
	 */
	kind?: 'command';
	/** An answer: the message it answers. */
	replyTo?: string;
	status?: AnswerStatus;
	blocks?: BlockRow[];
	model?: string;
	usage?: Usage;
	stopReason?: string;
	error?: RunError;
	/** Something the person should see while it lasts (the API asked to wait, for example). */
	notice?: string;
}
