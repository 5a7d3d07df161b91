import type pg from 'pg';
import type { SharedClaims } from './manager.js';

export interface PostgresClaimsOptions {
	instanceId: string;
	/** An instance silent this long is gone: its unended claims are taken over ([IN12]). */
	instanceTimeoutMs: number;
	now?: () => number;
}

/**
 * Run claims in PostgreSQL (run_claims): when two instances are asked for the same message at
 * once, the INSERT of exactly one of them inserts the row, so exactly one runs it (R22). The row
 * names the instance that claimed it, which is the one that runs it ([IN10]), until it ends.
 *
 * Each instance says it is alive in tether_instances (`beat`, a few times per timeout). A claim
 * not ended whose instance stopped beating, or whose instance id is this one's from an earlier
 * life (a fixed TETHER_INSTANCE_ID that restarted without its run log), is taken over: one
 * UPDATE moves it to this instance, so two instances never take the same claim.
 *
 * An instance that stalls (a frozen process, a network partition) without dying may come back
 * after its claims were taken over. So it holds a lease: its runs write only while its last beat
 * is younger than three quarters of the timeout, well before another instance may take over, and
 * a lease that lapsed is never renewed for the runs that started under it ([IN13]). This relies
 * on the instances' clocks agreeing to within a quarter of the timeout.
 */
export function postgresClaims(
	pool: pg.Pool,
	options: PostgresClaimsOptions
): SharedClaims & { beat(): Promise<void> } {
	const { instanceId } = options;
	const now = options.now ?? Date.now;
	const where = 'account_id = $1 AND session_id = $2 AND message_id = $3 AND attempt = $4';
	const startedAt = now();
	let tookOwn = false;
	const fenceAfterMs = (options.instanceTimeoutMs * 3) / 4;
	let lastBeatAt: number | undefined;
	let lease = 0;
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
			await pool.query(`DELETE FROM run_claims WHERE ${where} AND instance_id = $5`, [
				run.accountId,
				run.sessionId,
				run.messageId,
				run.attempt,
				instanceId
			]);
		},
		async ended(run) {
			// Only its own: a claim another instance took over is that instance's to end.
			await pool.query(`UPDATE run_claims SET ended_at = $5 WHERE ${where} AND instance_id = $6`, [
				run.accountId,
				run.sessionId,
				run.messageId,
				run.attempt,
				now(),
				instanceId
			]);
		},
		async owns(run) {
			const { rowCount } = await pool.query(
				`SELECT 1 FROM run_claims WHERE ${where} AND instance_id = $5 AND ended_at IS NULL`,
				[run.accountId, run.sessionId, run.messageId, run.attempt, instanceId]
			);
			return rowCount === 1;
		},
		lease() {
			if (lastBeatAt === undefined || now() - lastBeatAt >= fenceAfterMs) return undefined;
			return lease;
		},
		async beat() {
			const sentAt = now();
			await pool.query(
				`INSERT INTO tether_instances (instance_id, started_at, seen_at) VALUES ($1, $2, $3)
				 ON CONFLICT (instance_id) DO UPDATE SET started_at = excluded.started_at, seen_at = excluded.seen_at`,
				[instanceId, startedAt, sentAt]
			);
			// A gap as long as the fence: runs of the lapsed lease stay cut, new ones get a new one.
			if (lastBeatAt === undefined || sentAt - lastBeatAt >= fenceAfterMs) lease++;
			lastBeatAt = Math.max(lastBeatAt ?? 0, sentAt);
		},
		async takeOver() {
			const at = now();
			const cutoff = at - options.instanceTimeoutMs;
			// Its own id's claims from before this start, once: later ones are this life's runs.
			const own = tookOwn ? null : startedAt;
			tookOwn = true;
			const { rows } = await pool.query<{
				account_id: string;
				session_id: string;
				message_id: string;
				attempt: number;
			}>(
				`UPDATE run_claims c SET instance_id = $1, claimed_at = $2
				 WHERE c.ended_at IS NULL AND (
				   (c.instance_id = $1 AND c.claimed_at < $4::bigint)
				   OR (c.instance_id <> $1 AND NOT EXISTS (
				     SELECT 1 FROM tether_instances i WHERE i.instance_id = c.instance_id AND i.seen_at >= $3)))
				 RETURNING account_id, session_id, message_id, attempt`,
				[instanceId, at, cutoff, own]
			);
			// Instances gone for a day are forgotten; their claims were taken over long ago.
			await pool.query('DELETE FROM tether_instances WHERE seen_at < $1', [at - 86_400_000]);
			return rows.map((row) => ({
				accountId: row.account_id,
				sessionId: row.session_id,
				messageId: row.message_id,
				attempt: row.attempt
			}));
		}
	};
}
