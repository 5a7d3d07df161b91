/**
 * Sequence numbers of the change feed follow the clock (microseconds since the epoch), never
 * less than one past the last. A database restored from an older backup therefore resumes above
 * every cursor it handed out before the restore, so a client asking "what changed since my
 * cursor" never misses a change the restored server stores afterwards (R4).
 */
export function changeSeqFloor(now = Date.now()): number {
	return now * 1000;
}
