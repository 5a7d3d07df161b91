/**
 * Resolves in a new task of the event loop, so the page can paint and answer input before the
 * caller goes on. A message channel rather than a timer: timers of a hidden tab are throttled
 * to one a second or slower, which would stretch work that yields often into minutes.
 */
export function nextTask(): Promise<void> {
	if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve));
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => {
			channel.port1.close();
			resolve();
		};
		channel.port2.postMessage(undefined);
	});
}

/**
 * Lets long work share the page: `spent` says the current task has run for its budget, and
 * `next()` continues in a new task. A loop over thousands of items checks `spent` per item.
 */
export class TaskBudget {
	#start = performance.now();

	constructor(readonly budgetMs = 10) {}

	get spent(): boolean {
		return performance.now() - this.#start >= this.budgetMs;
	}

	async next(): Promise<void> {
		await nextTask();
		this.#start = performance.now();
	}
}
