import type { BlockRow } from '../rows.js';

type ToolUse = Extract<BlockRow, { type: 'tool_use' }>;

/*
 * The one line a tool record shows before it is opened: what the call was about (a path, a
 * pattern) and, for changes, how many lines it added and removed.
 */

export function toolSummary(block: Pick<ToolUse, 'name' | 'input'> & { diff?: string }): string {
	const input = (
		typeof block.input === 'object' && block.input !== null ? block.input : {}
	) as Record<string, unknown>;
	const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '');
	const parts: string[] = [];
	switch (block.name) {
		case 'list_files':
			parts.push(text('pattern') || 'all files');
			break;
		case 'search_files':
			parts.push(`/${text('pattern')}/` + (text('glob') ? ` in ${text('glob')}` : ''));
			break;
		case 'update_project_information':
			parts.push(text('mode') === 'append' ? 'append' : 'replace');
			break;
		default:
			if (text('path')) parts.push(text('path'));
	}
	if (block.diff) {
		const { added, removed } = diffCounts(block.diff);
		parts.push(`+${added} −${removed}`);
	}
	return parts.join(' · ').slice(0, 200);
}

export function diffCounts(diff: string): { added: number; removed: number } {
	let added = 0;
	let removed = 0;
	for (const line of diff.split('\n')) {
		if (line.startsWith('+')) added++;
		else if (line.startsWith('-')) removed++;
	}
	return { added, removed };
}

export type DiffLineKind = 'add' | 'remove' | 'hunk' | 'context';

/** A unified diff's lines with what each is, for colouring. */
export function diffLines(diff: string): { kind: DiffLineKind; text: string }[] {
	return diff
		.split('\n')
		.filter((line, i, all) => !(i === all.length - 1 && line === ''))
		.map((text) => ({
			kind: text.startsWith('+')
				? 'add'
				: text.startsWith('-')
					? 'remove'
					: text.startsWith('@@')
						? 'hunk'
						: 'context',
			text
		}));
}
