import { liveQuery, type Subscription } from 'dexie';
import type { MessageRow } from '$lib/core/rows';
import type { MessageReader } from '$lib/store/message-reader';

/**
 * The messages of one session as rune state, read so that a change near the end of a long
 * session does not read the whole of it again ([LB27]). Its end paints first (the last
 * `tailSize` rows); from there the rows before that end and the rows from it on are two live
 * queries. A streamed answer, a new message, an approval: each changes rows at the end, so only
 * the end is read again; the older part is read again only when an older row changes.
 */
export class SessionMessages {
	current = $state.raw<MessageRow[]>([]);
	/** False until the end has been read: lets views tell "loading" from "empty". */
	loaded = $state(false);
	/** True once `current` holds every row, not only the end. */
	whole = $state(false);
	readonly #read: MessageReader;
	/** The first seq of the end part; rows before it are the older part. */
	#boundary = 0;
	#older: MessageRow[] = [];
	#recent: MessageRow[] = [];
	#tail: Subscription | undefined;
	#end: Subscription | undefined;
	#before: Subscription | undefined;
	#destroyed = false;

	/** `reader` is called once: a view shows one session for its whole life. */
	constructor(reader: () => MessageReader, tailSize = 40) {
		const read = reader();
		this.#read = read;
		let first = true;
		this.#tail = watch(
			() => read.last(tailSize),
			(rows) => {
				if (!first || this.#destroyed) return;
				first = false;
				this.#boundary = rows.length < tailSize ? 0 : rows[0]!.seq;
				this.#recent = rows;
				this.whole = this.#boundary === 0;
				this.#publish();
				// The same rows as a range from now on, so messages added later join it.
				this.#end = watch(
					() => read.between(this.#boundary, Infinity),
					(recent) => {
						this.#tail?.unsubscribe();
						this.#tail = undefined;
						this.#recent = recent;
						this.#publish();
					}
				);
			}
		);
	}

	/** Reads the rows before the end too (after the end has painted). */
	widen(): void {
		if (this.#destroyed || !this.loaded || this.#before || this.#boundary === 0) return;
		this.#before = watch(
			() => this.#read.between(0, this.#boundary),
			(older) => {
				this.#older = older;
				this.whole = true;
				this.#publish();
			}
		);
	}

	destroy(): void {
		this.#destroyed = true;
		this.#tail?.unsubscribe();
		this.#end?.unsubscribe();
		this.#before?.unsubscribe();
	}

	#publish(): void {
		if (this.#destroyed) return;
		// The two parts are read apart: a row renumbered across the boundary can show in both for a
		// moment. The end's copy is the newer one.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup built and dropped here
		const recentIds = new Set(this.#recent.map((row) => row.id));
		const older =
			this.#older.length > 0 && this.#older.some((row) => recentIds.has(row.id))
				? this.#older.filter((row) => !recentIds.has(row.id))
				: this.#older;
		this.current = older.length === 0 ? this.#recent : older.concat(this.#recent);
		this.loaded = true;
	}
}

function watch(query: () => Promise<MessageRow[]>, next: (rows: MessageRow[]) => void) {
	return liveQuery(query).subscribe({
		next,
		error: (error: unknown) => console.error('live query failed', error)
	});
}
