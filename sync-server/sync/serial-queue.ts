/**
 * Runs tasks one at a time, in the order they were queued. The registry keeps one per document so
 * that loading, storing and unloading a document never interleave (R10).
 */
export class SerialQueue {
	#tail: Promise<unknown> = Promise.resolve();
	#pending = 0;

	/** Tasks queued or running. */
	get pending(): number {
		return this.#pending;
	}

	run<T>(task: () => Promise<T> | T): Promise<T> {
		this.#pending++;
		const result = this.#tail.then(task);
		// The chain continues whether the task failed or not; the caller sees the failure.
		this.#tail = result.then(
			() => this.#pending--,
			() => this.#pending--
		);
		return result;
	}
}
