import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full garbage collection, or undefined where the runtime refuses to expose one. Node never
 * tells V8 the server is idle, so after a burst of documents is unloaded their garbage (and the
 * heap grown to hold them) stays until the next allocation-driven collection, which an idle
 * server never reaches: RSS stayed where the burst left it, round after round (R11).
 */
export function fullCollection(): (() => void) | undefined {
	v8.setFlagsFromString('--expose-gc');
	const gc: unknown = vm.runInNewContext('gc');
	return typeof gc === 'function' ? () => void gc() : undefined;
}

export interface MemoryReducerOptions {
	collect: () => void;
	/** Collect once no document was unloaded for this long… */
	quietMs: number;
	/** …and at least this many were since the last collection. */
	minUnloads: number;
	/** Never more often than this, whatever the churn. */
	minIntervalMs: number;
	now?: () => number;
}

/**
 * Gives memory back after documents are unloaded [HD13]: once the unloads stop for `quietMs`, and
 * enough of them happened, one full collection runs. A full collection pauses the loop for tens
 * of milliseconds, so it is bounded by `minIntervalMs` and skipped for a trickle of unloads.
 */
export class MemoryReducer {
	#unloads = 0;
	#last = -Infinity;
	#timer: ReturnType<typeof setTimeout> | undefined;
	readonly #now: () => number;

	constructor(readonly options: MemoryReducerOptions) {
		this.#now = options.now ?? (() => performance.now());
	}

	/** A document was unloaded. */
	unloaded(): void {
		this.#unloads++;
		this.#schedule(this.options.quietMs);
	}

	stop(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#schedule(delay: number): void {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => this.#fire(), delay);
		this.#timer.unref();
	}

	#fire(): void {
		this.#timer = undefined;
		if (this.#unloads < this.options.minUnloads) return;
		const wait = this.#last + this.options.minIntervalMs - this.#now();
		if (wait > 0) return this.#schedule(wait);
		this.#unloads = 0;
		this.#last = this.#now();
		this.options.collect();
	}
}
