/**
 * Cuts a list into consecutive slices of about `budget` in weight, for work done a slice per task:
 * items are added to a slice until it weighs `budget` or more, so each slice holds at least one
 * item (an item heavier than the budget is a slice of its own) and no item is ever split.
 */
export function* slices<T>(
	items: readonly T[],
	weigh: (item: T) => number,
	budget: number
): Generator<T[]> {
	let start = 0;
	while (start < items.length) {
		let end = start;
		let weight = 0;
		while (end < items.length && (end === start || weight < budget)) {
			weight += weigh(items[end]!);
			end++;
		}
		yield items.slice(start, end);
		start = end;
	}
}
