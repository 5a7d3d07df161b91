import { describe, expect, it } from 'vitest';
import { dailyUsage, dayTotal, localDay } from './daily-usage.js';

// Local times, so the tests hold in every time zone.
const at = (day: number, hour: number, month = 2) => new Date(2026, month, day, hour).getTime();
const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
	input,
	output,
	cacheRead,
	cacheWrite
});

describe('[LB14] tokens per day', () => {
	it('[LB14] lists every day of the range, oldest first, empty days as zeros', () => {
		const days = dailyUsage([], new Date(at(3, 12)), 5);
		expect(days.map((d) => d.day)).toEqual([
			'2026-02-27',
			'2026-02-28',
			'2026-03-01',
			'2026-03-02',
			'2026-03-03'
		]);
		expect(days.every((d) => dayTotal(d) === 0)).toBe(true);
	});

	it('[LB14] adds up each answer on its local day, and leaves out the rest', () => {
		const days = dailyUsage(
			[
				{ createdAt: at(3, 0), usage: usage(10, 1, 100, 1000) },
				{ createdAt: at(3, 23), usage: usage(20, 2, 200, 2000) },
				{ createdAt: at(2, 23), usage: usage(5, 5) },
				{ createdAt: at(3, 9) }, // a person's message: no usage
				{ createdAt: at(1, 12, 0), usage: usage(99, 99) }, // before the range
				{ createdAt: at(4, 1), usage: usage(99, 99) } // after today (a clock off)
			],
			new Date(at(3, 12)),
			2
		);
		expect(days).toEqual([
			{ day: '2026-03-02', input: 5, output: 5, cacheRead: 0, cacheWrite: 0 },
			{ day: '2026-03-03', input: 30, output: 3, cacheRead: 300, cacheWrite: 3000 }
		]);
	});

	it('[LB14] counts an answer once however many forks and imports copied it', () => {
		const answer = { createdAt: at(3, 10), usage: usage(888, 5, 10, 0) };
		const days = dailyUsage(
			[
				answer,
				{ ...answer }, // a fork's copy
				{ ...answer, usage: { ...answer.usage } }, // an import's copy
				{ createdAt: at(3, 10), usage: usage(888, 6, 10, 0) }, // another request, same time
				{ createdAt: at(3, 11), usage: usage(888, 5, 10, 0) } // the same counts, later
			],
			new Date(at(3, 12)),
			1
		);
		expect(days).toEqual([
			{ day: '2026-03-03', input: 888 * 3, output: 16, cacheRead: 30, cacheWrite: 0 }
		]);
	});

	it('[LB14] counts calendar days across a clock change', () => {
		// 30 days back from a date always gives 30 distinct, consecutive dates.
		const days = dailyUsage([], new Date(2026, 9, 31, 0, 30), 30).map((d) => d.day);
		expect(new Set(days).size).toBe(30);
		expect(days[0]).toBe('2026-10-02');
		expect(days.at(-1)).toBe(localDay(new Date(2026, 9, 31)));
	});
});
