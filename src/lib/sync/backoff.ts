/**
 * Reconnect delays: exponential, capped, and jittered so that many clients of a restarted server
 * spread out instead of arriving together (R6). Each delay is 50-100% of the capped exponential.
 */
export class Backoff {
	#attempt = 0;

	constructor(
		readonly baseMs = 500,
		readonly maxMs = 30_000,
		readonly random: () => number = Math.random
	) {}

	get attempt(): number {
		return this.#attempt;
	}

	next(): number {
		const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.#attempt);
		this.#attempt = Math.min(this.#attempt + 1, 30);
		return Math.round(ceiling * (0.5 + this.random() * 0.5));
	}

	reset(): void {
		this.#attempt = 0;
	}
}
