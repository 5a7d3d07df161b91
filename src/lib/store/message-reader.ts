import type { MessageRow } from '../core/rows.js';
import type { TetherDb } from './db.js';

/** How the rows of one session are read, in order of `seq`. */
export interface MessageReader {
	/** The last `count` rows. */
	last(count: number): Promise<MessageRow[]>;
	/** The rows with `from <= seq < to`. */
	between(from: number, to: number): Promise<MessageRow[]>;
}

/**
 * Reads through the `[sessionId+seq]` index, so a live query over one part of a session is
 * only run again when a row in that part changes.
 */
export function messageReader(db: TetherDb, sessionId: string): MessageReader {
	const range = (from: number, to: number) =>
		db.messages.where('[sessionId+seq]').between([sessionId, from], [sessionId, to]);
	return {
		last: async (count) => (await range(0, Infinity).reverse().limit(count).toArray()).reverse(),
		between: (from, to) => range(from, to).toArray()
	};
}
