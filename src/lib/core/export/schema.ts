import type { AnswerStatus, BlockRow, Role, RunError, Usage } from '../rows.js';

/*
 * Tether's own export format, version 1 (documented in docs/EXPORT.md). A session or a whole
 * project as plain JSON: everything needed to rebuild it on any device. Ids inside the file only
 * link messages to each other (an answer's `replyTo`); an import gives everything new ids.
 */

export const exportVersion = 1;
export const sessionFormat = 'tether.session';
export const projectFormat = 'tether.project';

export interface ExportedMessage {
	/** Unique within the file; an answer's `replyTo` names the message it answers. */
	id: string;
	role: Role;
	/** A person's message, or an answer's text blocks joined (the blocks are the truth). */
	text: string;
	createdAt: number;
	/** A person's message that is a note of a command run in Claude Code, not a prompt. */
	kind?: 'command';
	/** A person's message that asked for an answer: 'answered' (a file never asks again). */
	ask?: 'answered';
	attempt?: number;
	replyTo?: string;
	/** How an answer ended ('streaming' is exported as 'interrupted'). */
	status?: Exclude<AnswerStatus, 'streaming'>;
	blocks?: BlockRow[];
	model?: string;
	usage?: Usage;
	stopReason?: string;
	error?: RunError;
}

export interface ExportedSession {
	title: string;
	/** True when a person named it; otherwise the title follows the first message. */
	renamed: boolean;
	createdAt: number;
	lastActivity: number;
	messages: ExportedMessage[];
	/**
	 * Set by the Claude Code reader, never exported: the source session and how many messages it
	 * held, so that importing the same transcript again adds nothing ([LB30]).
	 */
	importedFrom?: string;
}

export interface SessionExport {
	format: typeof sessionFormat;
	version: typeof exportVersion;
	exportedAt: number;
	session: ExportedSession;
}

export interface ExportedProject {
	name: string;
	createdAt: number;
	/** Project information (what Claude remembers about the project). */
	info: string;
	/** The workspace: path -> text. */
	files: Record<string, string>;
	sessions: ExportedSession[];
}

export interface ProjectExport {
	format: typeof projectFormat;
	version: typeof exportVersion;
	exportedAt: number;
	project: ExportedProject;
}

export type TetherExport = SessionExport | ProjectExport;
