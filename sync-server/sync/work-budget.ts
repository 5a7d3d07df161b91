import { TokenBucket } from './rate-limit.js';
import type { UpdateShape } from '../../src/lib/core/update-shape.js';

/*
 * A budget of work per account [HD2], shared by all of the account's sockets, so opening more
 * sockets buys no more of the event loop. One unit is about one struct decoded and applied;
 * bytes count too (strings are copied, answers are encoded and sent). Counted before the work
 * where it can be (an update's shape), right after it where it cannot (a sync step 1 answer).
 */

export interface WorkBudgetLimits {
	unitsPerSecond: number;
	/** At least the cost of the largest update the update limits allow, so one always fits. */
	burst: number;
}

export const defaultWorkBudget: WorkBudgetLimits = { unitsPerSecond: 30_000, burst: 350_000 };

/** Bytes that cost one unit: copying and encoding are much cheaper than integrating a struct. */
const bytesPerUnit = 256;

/** What applying an update of this shape costs, before its delete set meets the document. */
export function updateCost(shape: UpdateShape, bytes: number): number {
	return (
		shape.structs +
		Math.ceil(shape.values / 4) +
		Math.ceil(shape.deleteRanges / 4) +
		Math.ceil(bytes / bytesPerUnit)
	);
}

/**
 * What a delete set makes the document scan: a range visits at most the structs the document
 * holds for that client, however long it claims to be (a 13-byte frame can name them all).
 */
export function deleteScanCost(
	deletedByClient: ReadonlyMap<number, number>,
	structsOf: (client: number) => number
): number {
	let cost = 0;
	for (const [client, length] of deletedByClient) cost += Math.min(length, structsOf(client));
	return cost;
}

/**
 * What rebuilding a document from storage cost (after a refused update): every stored byte
 * decoded and every struct integrated again, as applying them the first time did. Priced by bytes
 * alone, a document of many small structs was rebuilt for a tenth of its cost, and a run of bad
 * updates from a few accounts kept the loop busy rebuilding (found by the fuzz soak).
 */
export function rebuildCost(structs: number, bytes: number): number {
	return structs + Math.ceil(bytes / bytesPerUnit);
}

/** The cost of encoding and sending `bytes` (a sync step 2 answer). */
export function answerCost(bytes: number): number {
	return Math.ceil(bytes / bytesPerUnit);
}

/** One bucket per account; full buckets of accounts without sockets are forgotten. */
export class WorkBudgets {
	readonly #buckets = new Map<string, TokenBucket>();

	constructor(
		readonly limits: WorkBudgetLimits = defaultWorkBudget,
		readonly now: () => number = Date.now
	) {}

	/** Takes `units` from the account's budget; false when it is spent. */
	take(accountId: string, units: number): boolean {
		let bucket = this.#buckets.get(accountId);
		if (!bucket) {
			bucket = new TokenBucket(this.limits.unitsPerSecond, this.limits.burst, this.now);
			this.#buckets.set(accountId, bucket);
		}
		return bucket.take(units);
	}

	/** Charges work already done (a rebuild after a refused update); the account owes it. */
	charge(accountId: string, units: number): void {
		if (!this.take(accountId, 0)) return;
		this.#buckets.get(accountId)?.charge(units);
	}

	/** Drops the buckets that have refilled: they hold nothing a fresh one would not. */
	sweep(): void {
		for (const [accountId, bucket] of this.#buckets) {
			if (bucket.take(0) && bucket.full) this.#buckets.delete(accountId);
		}
	}

	get size(): number {
		return this.#buckets.size;
	}
}
