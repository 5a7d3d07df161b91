import { describe, expect, it } from 'vitest';
import { slices } from './slices.js';

describe('slices', () => {
	it('cuts consecutive slices of about the budget, each with at least one item', () => {
		const items = [3, 1, 1, 9, 2, 2, 2, 1];
		const cut = [...slices(items, (n) => n, 4)];
		expect(cut).toEqual([
			[3, 1],
			[1, 9],
			[2, 2],
			[2, 1]
		]);
		expect(cut.flat()).toEqual(items);
	});

	it('gives an item heavier than the budget a slice of its own', () => {
		expect([...slices([10, 20, 1], (n) => n, 5)]).toEqual([[10], [20], [1]]);
	});

	it('gives one slice under an infinite budget, and none for nothing', () => {
		expect([...slices([1, 2, 3], (n) => n, Infinity)]).toEqual([[1, 2, 3]]);
		expect([...slices([], (n: number) => n, 4)]).toEqual([]);
	});
});
