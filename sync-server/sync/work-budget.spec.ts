import { describe, expect, it } from 'vitest';
import { deleteScanCost, WorkBudgets } from './work-budget.js';

describe('[HD2] the work budget', () => {
	it('[HD2] a delete range costs at most the structs the document holds for that client', () => {
		const held = new Map([[1, 10]]);
		const cost = deleteScanCost(
			new Map([
				[1, 2 ** 50],
				[2, 5]
			]),
			(client) => held.get(client) ?? 0
		);
		expect(cost).toBe(10);
	});

	it('[HD2] budgets are per account, refill over time, and charged work is owed', () => {
		let now = 0;
		const budgets = new WorkBudgets({ unitsPerSecond: 10, burst: 20 }, () => now);
		expect(budgets.take('a', 20)).toBe(true);
		expect(budgets.take('a', 1)).toBe(false);
		expect(budgets.take('b', 20)).toBe(true);
		now += 1000;
		expect(budgets.take('a', 10)).toBe(true);
		budgets.charge('b', 15);
		now += 1000;
		// b had 0 + 10 refilled, then owed 15 more: -5 + 10 = 5.
		expect(budgets.take('b', 6)).toBe(false);
		expect(budgets.take('b', 5)).toBe(true);
		now += 10_000;
		budgets.sweep();
		expect(budgets.size).toBe(0);
	});
});
