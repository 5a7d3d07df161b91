/**
 * Which local updates the server has confirmed as stored. The server numbers the sync messages
 * (step 2 and updates) of each connection and answers `stored` with how many are on disk; this
 * keeps the same count and knows how many local updates each message carried.
 */
export class AckLedger {
	#sent = 0;
	#acked = 0;
	/** Whether this connection's server acknowledges at all (it chose `tether.v1`). */
	#acks = false;
	/** Local updates not carried by any message yet (made offline, or before a step 2). */
	#pending = 0;
	/** Sent messages awaiting acknowledgement, with the local updates each carries. */
	#inflight: Array<{ seq: number; count: number }> = [];

	/** Local updates the server has not confirmed. */
	get unsynced(): number {
		return this.#pending + this.#inflight.reduce((n, m) => n + m.count, 0);
	}

	get acked(): number {
		return this.#acked;
	}

	get awaiting(): boolean {
		return this.#inflight.length > 0;
	}

	/** A new connection: its count starts at zero. */
	connected(acks: boolean): void {
		this.#sent = this.#acked = 0;
		this.#acks = acks;
	}

	/** The connection is gone: what it did not confirm is unsynced local state again. */
	disconnected(): void {
		this.#pending = this.unsynced;
		this.#inflight = [];
	}

	/** Local updates that could not be sent now. */
	keep(count: number): void {
		this.#pending += count;
	}

	/** Everything not yet carried: a step 2 carries all of it. */
	takePending(): number {
		const count = this.#pending;
		this.#pending = 0;
		return count;
	}

	/** A sync message went out carrying `count` local updates; returns its number. */
	sent(count: number): number {
		const seq = ++this.#sent;
		// A server without acknowledgements gives nothing better than "sent".
		if (!this.#acks) this.#acked = seq;
		else this.#inflight.push({ seq, count });
		return seq;
	}

	/** The server stored this connection's first `count` sync messages. */
	ack(count: number): void {
		this.#acked = Math.max(this.#acked, count);
		this.#inflight = this.#inflight.filter((m) => m.seq > this.#acked);
	}
}
