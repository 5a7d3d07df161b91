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

	constructor(query: () => Promise<T>, initial: T) {
		this.current = initial;
		this.#subscription = liveQuery(query).subscribe({
			next: (value) => {
				this.current = value;
				this.loaded = true;
			},
			error: (error: unknown) => console.error('live query failed', error)
		});
	}

	destroy(): void {
		this.#subscription.unsubscribe();
	}
}
