import { liveQuery, type Subscription } from 'dexie';
import type { TetherDb } from '../store/db.js';
import type { SearchGroup, SearchIndex } from '../store/search-index.js';

/*
 * Search for the views: opens the saved index of the account's database (MiniSearch and the index
 * code load here, not at start), keeps it up to date while the queue of changed rows fills (in
 * this tab or another), and answers queries.
 */
export class SessionSearch {
	ready = $state(false);
	#subscription: Subscription | undefined;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#destroyed = false;
	readonly #opened: Promise<SearchIndex | undefined>;

	constructor(db: TetherDb) {
		this.#opened = import('../store/search-index.js')
			.then(({ SearchIndex }) => SearchIndex.open(db))
			.then((index) => {
				if (this.#destroyed) return undefined;
				// Changes are taken in a moment after they stop arriving: a streaming answer is
				// indexed a few times, not once per batch.
				this.#subscription = liveQuery(() => db.searchQueue.count()).subscribe({
					next: (count) => {
						if (count === 0) return;
						clearTimeout(this.#timer);
						this.#timer = setTimeout(() => void index.catchUp(), 300);
					},
					error: (error: unknown) => console.error('search queue', error)
				});
				return index;
			})
			.catch((error: unknown) => {
				console.error('search index failed to open', error);
				return undefined;
			});
		void this.#opened.then((index) => {
			if (index) this.ready = true;
		});
	}

	/** Results for the query, from an index brought up to date first. */
	async search(query: string): Promise<SearchGroup[]> {
		const index = await this.#opened;
		if (!index) return [];
		await index.catchUp();
		return index.search(query);
	}

	destroy(): void {
		this.#destroyed = true;
		clearTimeout(this.#timer);
		this.#subscription?.unsubscribe();
		void this.#opened.then((index) => index?.close());
	}
}
