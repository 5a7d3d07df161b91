/** A token bucket: `perSecond` tokens refill each second, at most `burst` saved up. */
export class TokenBucket {
	#tokens: number;
	#last: number;

	constructor(
		readonly perSecond: number,
		readonly burst: number,
		readonly now: () => number = Date.now
	) {
		this.#tokens = burst;
		this.#last = now();
	}

	/** Takes `cost` tokens if there are enough; false means the caller is over its limit. */
	take(cost = 1): boolean {
		const now = this.now();
		this.#tokens = Math.min(
			this.burst,
			this.#tokens + ((now - this.#last) / 1000) * this.perSecond
		);
		this.#last = now;
		if (this.#tokens < cost) return false;
		this.#tokens -= cost;
		return true;
	}

	/** Takes `cost` even when it is not there: work already done is paid for with debt. */
	charge(cost: number): void {
		this.take(0);
		this.#tokens -= cost;
	}

	/** Nothing taken that has not refilled (as of the last take). */
	get full(): boolean {
		return this.#tokens >= this.burst;
	}
}

export interface RateLimits {
	messagesPerSecond: number;
	messageBurst: number;
	bytesPerSecond: number;
	/** At least maxMessageBytes, so one legal frame always fits. */
	byteBurst: number;
}

/** Both limits of one connection: a frame passes only if it fits the message and byte budgets. */
export function connectionLimiter(limits: RateLimits, now?: () => number) {
	const messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now);
	const bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst, now);
	return (size: number): boolean => messages.take(1) && bytes.take(size);
}
