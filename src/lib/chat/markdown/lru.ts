/** A small least-recently-used map: a bounded cache that keeps what was used last. */
export class Lru<V> {
	readonly #entries = new Map<string, V>();

	constructor(private readonly capacity: number) {}

	get(key: string): V | undefined {
		const value = this.#entries.get(key);
		if (value === undefined) return undefined;
		// Map keeps insertion order: move the entry to the end, the most recent.
		this.#entries.delete(key);
		this.#entries.set(key, value);
		return value;
	}

	set(key: string, value: V): void {
		this.#entries.delete(key);
		this.#entries.set(key, value);
		if (this.#entries.size > this.capacity) {
			const oldest = this.#entries.keys().next();
			if (!oldest.done) this.#entries.delete(oldest.value);
		}
	}

	get size(): number {
		return this.#entries.size;
	}

	clear(): void {
		this.#entries.clear();
	}
}
