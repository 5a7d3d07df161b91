import { liveQuery, type Subscription } from 'dexie';

/**
 * A Dexie query as rune state: re-runs when the rows it read change, in this tab or another.
 * Create it inside a component's $effect (or pass the cleanup to one) so it is unsubscribed.
 */
export class Live<T> {
	current: T = $state.raw() as T;
	/** False until the first result arrives: lets views tell "loading" from "empty". */
	loaded = $state(false);
	#subscription: Subscription;
	#generation = 0;

	constructor(query: () => Promise<T>, initial: T) {
		this.current = initial;
		this.#subscription = this.#subscribe(query);
	}

	/** Switches to another query; the current value stays until the new one answers. */
	replace(query: () => Promise<T>): void {
		const previous = this.#subscription;
		this.#subscription = this.#subscribe(query, previous);
	}

	destroy(): void {
		this.#generation++;
		this.#subscription.unsubscribe();
	}

	#subscribe(query: () => Promise<T>, previous?: Subscription): Subscription {
		const generation = ++this.#generation;
		return liveQuery(query).subscribe({
			next: (value) => {
				// A replaced query may still answer once: only the latest one counts.
				if (generation !== this.#generation) return;
				previous?.unsubscribe();
				previous = undefined;
				this.current = value;
				this.loaded = true;
			},
			error: (error: unknown) => console.error('live query failed', error)
		});
	}
}
