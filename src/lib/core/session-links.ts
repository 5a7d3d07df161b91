import type { ExportedSession } from './export/schema.js';
import type { MessageRow, SessionRow } from './rows.js';

/*
 * Fork and Compact: new sessions made from an existing one, and the links between them.
 *
 * A fork is a copy of the conversation up to a message (in export shape, so nothing live is
 * copied: no waiting ask, no streaming answer, no running tool call; `write-session.ts` gives
 * every message a new id). A compacted session starts with one person's message asking for a
 * summary of the old session (`summaryOf`); the server's run answers it from the old session's
 * history, and that answer is the new session's first context (see ARCHITECTURE.md).
 */

export const forkTitle = (title: string) => `${title} (fork)`;
export const compactTitle = (title: string) => `${title} (compacted)`;

/** The new session's copy of `source`: its messages up to and including `upTo` (all without). */
export function forkedSession(
	source: ExportedSession,
	upTo: string | undefined,
	now: number
): ExportedSession | undefined {
	const end =
		upTo === undefined
			? source.messages.length
			: 1 + source.messages.findIndex((m) => m.id === upTo);
	if (end === 0) return undefined;
	return {
		title: forkTitle(source.title),
		renamed: true,
		createdAt: now,
		lastActivity: now,
		messages: source.messages.slice(0, end)
	};
}

/** What a compacted session asks Claude, after the old session's whole conversation. */
export function summaryRequest(title: string): string {
	return (
		`Summarize our conversation so far (the session “${title}”) so that we can continue it in ` +
		'a new session from your summary alone: the goal, what was decided and done, the current ' +
		'state of the work, open questions, and anything else needed to go on.'
	);
}

export type CompactState = 'summarizing' | 'done' | 'failed';

/** Where a compacted session's summary stands, from its rows; undefined for any other session. */
export function compactState(messages: readonly MessageRow[]): CompactState | undefined {
	const request = messages[0];
	if (request?.role !== 'user' || request.summaryOf === undefined) return undefined;
	// Asked (again, after a Retry) and not yet answered.
	if (request.ask !== 'answered') return 'summarizing';
	const answer = [...messages].reverse().find((m) => m.replyTo === request.id);
	return answer?.status === 'done' && !answer.error ? 'done' : 'failed';
}

export interface SessionLink {
	kind: 'forkedFrom' | 'compactedFrom' | 'continuedIn' | 'forkedInto';
	/** The linked session; undefined when it was deleted (or is not on this device yet). */
	session: SessionRow | undefined;
}

/**
 * The links a session shows under its title, with the sessions they lead to: where it came
 * from and where its compaction went on (stored on it: the server links forward only once the
 * summary is written), and every session forked from it, oldest first (found by their own
 * links, so a fork made on another device shows too).
 */
export function sessionLinks(session: SessionRow, all: readonly SessionRow[]): SessionLink[] {
	const find = (id: string) => all.find((s) => s.id === id);
	const links: SessionLink[] = [];
	for (const kind of ['forkedFrom', 'compactedFrom', 'continuedIn'] as const) {
		const id = session[kind];
		if (id !== undefined) links.push({ kind, session: find(id) });
	}
	const forks = all
		.filter((s) => s.forkedFrom === session.id)
		.sort((a, b) => a.createdAt - b.createdAt);
	for (const fork of forks) links.push({ kind: 'forkedInto', session: fork });
	return links;
}
