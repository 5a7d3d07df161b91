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
}

export type Role = 'user' | 'assistant';

export interface MessageRow {
	id: string;
	sessionId: string;
	/** Position in the session's message array: the order of the conversation. */
	seq: number;
	role: Role;
	text: string;
	createdAt: number;
}
