import type pg from 'pg';
import type { SharedClaims } from './manager.js';

/**
 * Run claims in PostgreSQL (run_claims): when two instances are asked for the same message at
 * once, the INSERT of exactly one of them inserts the row, so exactly one runs it (R22). The row
 * names the instance that claimed it, which is the one that runs it ([IN10]).
 */
export function postgresClaims(pool: pg.Pool, instanceId: string, now = Date.now): SharedClaims {
	const where = 'account_id = $1 AND session_id = $2 AND message_id = $3 AND attempt = $4';
	return {
		async claim(run) {
			const result = await pool.query(
				`INSERT INTO run_claims (account_id, session_id, message_id, attempt, claimed_at, instance_id)
				 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
				[run.accountId, run.sessionId, run.messageId, run.attempt, now(), instanceId]
			);
			return result.rowCount === 1;
		},
		async forget(run) {
			await pool.query(`DELETE FROM run_claims WHERE ${where}`, [
				run.accountId,
				run.sessionId,
				run.messageId,
				run.attempt
			]);
		}
	};
}
