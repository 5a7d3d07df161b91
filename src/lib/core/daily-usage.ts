import type { MessageRow, Usage } from './rows.js';

/** The tokens of one local calendar day. */
export interface DayUsage extends Usage {
	/** `YYYY-MM-DD` in the device's time zone. */
	day: string;
}

/** The days a usage chart shows by default: the last 30, today included. */
export const chartDays = 30;

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar day of a time, as `YYYY-MM-DD`. */
export function localDay(time: number | Date): string {
	const d = new Date(time);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const empty = (day: string): DayUsage => ({
	day,
	input: 0,
	output: 0,
	cacheRead: 0,
	cacheWrite: 0
});

/**
 * Tokens per local day over the `days` days ending on `today` (every day listed, empty ones as
 * zeros, oldest first), from the usage saved on answers: each answer (one per API request, so
 * one per tool round) counts once, on the day it started, however many copies of it forks and
 * imports made. Usage outside the range is left out.
 */
export function dailyUsage(
	messages: Iterable<Pick<MessageRow, 'createdAt' | 'usage'>>,
	today: Date,
	days = chartDays
): DayUsage[] {
	const list: DayUsage[] = [];
	for (let back = days - 1; back >= 0; back--) {
		// Built from the calendar date, so a day of 23 or 25 hours (a clock change) is still one day.
		const date = new Date(today.getFullYear(), today.getMonth(), today.getDate() - back);
		list.push(empty(localDay(date)));
	}
	const byDay = new Map(list.map((d) => [d.day, d]));
	const counted = new Set<string>();
	for (const { createdAt, usage } of messages) {
		if (!usage) continue;
		const bucket = byDay.get(localDay(createdAt));
		if (!bucket) continue;
		// A fork and an import copy answers with their time and usage: the tokens were spent once.
		// Two requests of the same millisecond with the same four counts are one request.
		const key = `${createdAt}:${usage.input}:${usage.output}:${usage.cacheRead}:${usage.cacheWrite}`;
		if (counted.has(key)) continue;
		counted.add(key);
		bucket.input += usage.input;
		bucket.output += usage.output;
		bucket.cacheRead += usage.cacheRead;
		bucket.cacheWrite += usage.cacheWrite;
	}
	return list;
}

/** Every token of a day, the four kinds together. */
export const dayTotal = (d: Usage) => d.input + d.output + d.cacheRead + d.cacheWrite;
