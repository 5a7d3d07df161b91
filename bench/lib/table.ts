import type { Summary } from './stats.js';

/** Plain-text tables for the console: one header row, columns padded to fit. */
export type Cell = string | number;

export function formatTable(title: string, header: string[], rows: Cell[][]): string {
	const text = rows.map((row) => row.map(cell));
	const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) =>
		cells
			.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
			.join('  ');
	const rule = widths.map((w) => '-'.repeat(w)).join('  ');
	return [title, line(header), rule, ...text.map(line)].join('\n');
}

function cell(value: Cell): string {
	if (typeof value === 'string') return value;
	if (!Number.isFinite(value)) return 'n/a';
	if (Number.isInteger(value)) return String(value);
	return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export const ms = (value: number) => (Number.isFinite(value) ? `${cell(value)} ms` : 'n/a');
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Median, mean, min and max of a timing, as table cells. */
export const timingCells = (s: Summary): string[] => [ms(s.p50), ms(s.mean), ms(s.min), ms(s.max)];
