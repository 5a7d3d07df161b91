import type { Database } from 'better-sqlite3';

/** How far a run got, as the run log keeps it (ids and states only: never text, never a key). */
export type RunState = 'queued' | 'running' | 'ended';

export interface LoggedRun {
	accountId: string;
	sessionId: string;
	messageId: string;
	attempt: number;
	state: RunState;
	answerId: string | null;
}

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	account_id TEXT NOT NULL,
	session_id TEXT NOT NULL,
	message_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	state TEXT NOT NULL,
	answer_id TEXT,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, session_id, message_id, attempt)
);
CREATE INDEX IF NOT EXISTS runs_unfinished ON runs (state) WHERE state != 'ended';
`;

/**
 * Every run asked for, so that one message gets one run however often it is asked (R22), and a
 * server that was killed finds the runs it left unfinished when it starts again.
 */
export function createRunLog(db: Database, now = Date.now) {
	db.exec(schema);
	const insert = db.prepare<[string, string, string, number, number]>(
		`INSERT OR IGNORE INTO runs (account_id, session_id, message_id, attempt, state, updated_at)
		 VALUES (?, ?, ?, ?, 'queued', ?)`
	);
	const update = db.prepare<[string, string | null, number, string, string, string, number]>(
		`UPDATE runs SET state = ?, answer_id = coalesce(?, answer_id), updated_at = ?
		 WHERE account_id = ? AND session_id = ? AND message_id = ? AND attempt = ?`
	);
	const unfinished = db.prepare<
		[],
		{
			account_id: string;
			session_id: string;
			message_id: string;
			attempt: number;
			state: RunState;
			answer_id: string | null;
		}
	>(
		`SELECT account_id, session_id, message_id, attempt, state, answer_id FROM runs WHERE state != 'ended'`
	);
	const forgetSession = db.prepare<[string, string]>(
		'DELETE FROM runs WHERE account_id = ? AND session_id = ?'
	);
	const forget = db.prepare<[string, string, string, number]>(
		'DELETE FROM runs WHERE account_id = ? AND session_id = ? AND message_id = ? AND attempt = ?'
	);

	return {
		/** True when this is the first time this attempt is asked for. */
		claim(run: Pick<LoggedRun, 'accountId' | 'sessionId' | 'messageId' | 'attempt'>): boolean {
			return (
				insert.run(run.accountId, run.sessionId, run.messageId, run.attempt, now()).changes === 1
			);
		},
		set(
			run: Pick<LoggedRun, 'accountId' | 'sessionId' | 'messageId' | 'attempt'>,
			state: RunState,
			answerId?: string
		): void {
			update.run(
				state,
				answerId ?? null,
				now(),
				run.accountId,
				run.sessionId,
				run.messageId,
				run.attempt
			);
		},
		unfinished(): LoggedRun[] {
			return unfinished.all().map((r) => ({
				accountId: r.account_id,
				sessionId: r.session_id,
				messageId: r.message_id,
				attempt: r.attempt,
				state: r.state,
				answerId: r.answer_id
			}));
		},
		/** A run that never started: the same attempt may be asked for again. */
		forget(run: Pick<LoggedRun, 'accountId' | 'sessionId' | 'messageId' | 'attempt'>): void {
			forget.run(run.accountId, run.sessionId, run.messageId, run.attempt);
		},
		/** A deleted session's runs go with it. */
		forgetSession(accountId: string, sessionId: string): void {
			forgetSession.run(accountId, sessionId);
		}
	};
}

export type RunLog = ReturnType<typeof createRunLog>;
