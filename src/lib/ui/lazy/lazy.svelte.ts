/**
 * A part of the interface whose code is fetched the first time it is needed (issue 11: the
 * session page's initial JavaScript stays small). `prefetch` fetches without showing anything,
 * for a hint such as a pointer resting on the trigger; `load` fetches and sets `current`, which
 * is what swaps a placeholder for the real part. A failed fetch (offline before the service
 * worker cached the app) is tried again on the next use.
 */
export class Lazy<T> {
	current = $state.raw<T | undefined>();
	#fetching: Promise<T> | undefined;
	#fetch: () => Promise<T>;

	constructor(fetch: () => Promise<T>) {
		this.#fetch = fetch;
	}

	prefetch(): void {
		this.#start().catch(() => undefined);
	}

	#start(): Promise<T> {
		this.#fetching ??= this.#fetch().catch((error: unknown) => {
			this.#fetching = undefined;
			throw error;
		});
		return this.#fetching;
	}

	/** Resolves to the part, or undefined when its code could not be fetched. */
	async load(): Promise<T | undefined> {
		try {
			this.current = await this.#start();
		} catch {
			return undefined;
		}
		return this.current;
	}
}
