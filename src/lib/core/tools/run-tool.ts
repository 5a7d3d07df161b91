import { createTwoFilesPatch } from 'diff';
import picomatch from 'picomatch';
import type * as Y from 'yjs';
import { deleteFile, listPaths, normalizePath, readFile, workspace, writeFile } from '../files.js';
import { projectInfo, replaceText } from '../shapes.js';
import { cutText } from '../text.js';
import { checkInput, isToolName, type ToolInput, type ToolName } from './definitions.js';
import { unsafePattern } from './safe-regex.js';
import { cutLine, cutResult, lineCount, occurrences } from './tool-text.js';

/*
 * Executes one tool call against a project document. Pure apart from the document: the server
 * calls it inside a change so the effect syncs to every device. Never throws for anything Claude
 * sends: a bad input, a missing file or a refused pattern is an error result in words.
 */

export interface ToolOutcome {
	/** What Claude is sent as the tool result (already cut to size). */
	content: string;
	isError: boolean;
	/** A unified diff of what a file change did, for the record shown to people. */
	diff?: string;
}

export const DEFAULT_READ_LINES = 2000;
export const MAX_LISTED_FILES = 1000;
export const MAX_SEARCH_MATCHES = 200;
/** Characters of file text one search may scan: a bound on the work of one call. */
export const MAX_SEARCH_CHARS = 20_000_000;
/** Largest project information, in characters. */
export const MAX_INFO_CHARS = 100_000;
const MAX_DIFF_CHARS = 20_000;

export function runTool(project: Y.Doc, name: string, input: unknown): ToolOutcome {
	if (!isToolName(name)) return failure(`There is no tool named "${name}".`);
	const checked = checkInput(name, input);
	if (!checked.ok) return failure(checked.error);
	try {
		const outcome = handlers[name](project, checked.value as never);
		return { ...outcome, content: cutResult(outcome.content) };
	} catch (error) {
		// A bug of ours must not end the run: Claude is told, the server logs it upstream.
		return failure(`The tool failed: ${error instanceof Error ? error.message : String(error)}`);
	}
}

type Handlers = { [N in ToolName]: (project: Y.Doc, input: ToolInput<N>) => ToolOutcome };

const handlers: Handlers = {
	list_files(project, input) {
		const all = listPaths(project);
		const matches = input.pattern ? picomatch(input.pattern, { dot: true }) : () => true;
		const paths = all.filter((p) => matches(p));
		if (paths.length === 0) {
			return ok(all.length === 0 ? 'The workspace has no files.' : 'No file matches that pattern.');
		}
		const shown = paths.slice(0, MAX_LISTED_FILES);
		const more = paths.length - shown.length;
		return ok(
			shown.join('\n') +
				(more > 0 ? `\n[${more} more files not listed: use a narrower pattern.]` : '')
		);
	},

	read_file(project, input) {
		const path = normalizePath(input.path);
		if (!path.ok) return failure(path.error);
		const text = readFile(project, path.value);
		if (text === undefined) return failure(`There is no file "${path.value}".`);
		if (text === '') return ok(`"${path.value}" is empty.`);
		const lines = text.split('\n');
		if (text.endsWith('\n')) lines.pop();
		const start = (input.offset ?? 1) - 1;
		if (start >= lines.length) {
			return failure(
				`"${path.value}" has ${lines.length} lines; offset ${start + 1} is past its end.`
			);
		}
		const end = Math.min(lines.length, start + (input.limit ?? DEFAULT_READ_LINES));
		const numbered = lines
			.slice(start, end)
			.map((line, i) => `${start + i + 1}\t${cutLine(line)}`)
			.join('\n');
		const note =
			start > 0 || end < lines.length
				? `\n[Lines ${start + 1}–${end} of ${lines.length}.${end < lines.length ? ` Read on with offset ${end + 1}.` : ''}]`
				: '';
		return ok(numbered + note);
	},

	write_file(project, input) {
		const path = normalizePath(input.path);
		if (!path.ok) return failure(path.error);
		const before = readFile(project, path.value);
		const written = writeFile(project, path.value, input.content);
		if (!written.ok) return failure(written.error);
		const lines = lineCount(input.content);
		return {
			content: `${before === undefined ? 'Created' : 'Wrote'} "${path.value}" (${lines} ${lines === 1 ? 'line' : 'lines'}).`,
			isError: false,
			diff: patch(path.value, before ?? '', input.content)
		};
	},

	edit_file(project, input) {
		const path = normalizePath(input.path);
		if (!path.ok) return failure(path.error);
		const before = readFile(project, path.value);
		if (before === undefined) return failure(`There is no file "${path.value}".`);
		if (input.old_string === input.new_string) {
			return failure('old_string and new_string are the same: nothing would change.');
		}
		const count = occurrences(before, input.old_string, input.replace_all ? Infinity : 2);
		if (count === 0) return failure(`The text to replace was not found in "${path.value}".`);
		if (count > 1 && !input.replace_all) {
			return failure(
				`The text to replace occurs more than once in "${path.value}": add surrounding text to make it unique, or set replace_all.`
			);
		}
		const after = input.replace_all
			? before.split(input.old_string).join(input.new_string)
			: before.replace(input.old_string, () => input.new_string);
		const written = writeFile(project, path.value, after);
		if (!written.ok) return failure(written.error);
		return {
			content: `Edited "${path.value}": replaced ${count} ${count === 1 ? 'occurrence' : 'occurrences'}.`,
			isError: false,
			diff: patch(path.value, before, after)
		};
	},

	search_files(project, input) {
		const refused = unsafePattern(input.pattern);
		if (refused) return failure(refused);
		let regex: RegExp;
		try {
			regex = new RegExp(input.pattern, input.case_insensitive ? 'iu' : 'u');
		} catch (error) {
			return failure(`Not a valid regular expression: ${(error as Error).message}`);
		}
		const inGlob = input.glob ? picomatch(input.glob, { dot: true }) : () => true;
		const files = workspace(project);
		const found: string[] = [];
		let scanned = 0;
		let stoppedEarly = '';
		search: for (const path of listPaths(project)) {
			if (!inGlob(path)) continue;
			const text = files.get(path)?.toString() ?? '';
			scanned += text.length;
			if (scanned > MAX_SEARCH_CHARS) {
				stoppedEarly = `[Search stopped after ${MAX_SEARCH_CHARS} characters: use a glob to search fewer files.]`;
				break;
			}
			const lines = text.split('\n');
			for (let i = 0; i < lines.length; i++) {
				// Matching a cut line bounds the work per line (polynomial backtracking included).
				const line = cutLine(lines[i]!, 1000);
				if (!regex.test(line)) continue;
				found.push(`${path}:${i + 1}: ${line}`);
				if (found.length >= MAX_SEARCH_MATCHES) {
					stoppedEarly = `[Only the first ${MAX_SEARCH_MATCHES} matches are shown: narrow the pattern or glob.]`;
					break search;
				}
			}
		}
		if (found.length === 0) return ok(stoppedEarly || 'No matches.');
		return ok(found.join('\n') + (stoppedEarly ? `\n${stoppedEarly}` : ''));
	},

	delete_file(project, input) {
		const path = normalizePath(input.path);
		if (!path.ok) return failure(path.error);
		const before = readFile(project, path.value);
		if (before === undefined || !deleteFile(project, path.value)) {
			return failure(`There is no file "${path.value}".`);
		}
		return {
			content: `Deleted "${path.value}".`,
			isError: false,
			diff: patch(path.value, before, '')
		};
	},

	update_project_information(project, input) {
		const info = projectInfo(project);
		const current = info.toString();
		const next =
			input.mode === 'replace'
				? input.content
				: current + (current && !current.endsWith('\n') ? '\n' : '') + input.content;
		if (next.length > MAX_INFO_CHARS) {
			return failure(`Project information may be at most ${MAX_INFO_CHARS} characters long.`);
		}
		replaceText(info, next);
		return {
			content:
				input.mode === 'replace'
					? 'Replaced the project information.'
					: 'Added to the project information.',
			isError: false,
			diff: patch('Project information', current, next)
		};
	}
};

function ok(content: string): ToolOutcome {
	return { content, isError: false };
}

function failure(content: string): ToolOutcome {
	return { content, isError: true };
}

function patch(name: string, before: string, after: string): string {
	const text = createTwoFilesPatch(name, name, before, after, '', '', { context: 3 });
	// The header lines say nothing a record's title does not: the hunks start at the first "@@".
	const at = text.indexOf('@@');
	const body = at >= 0 ? text.slice(at) : '';
	return body.length <= MAX_DIFF_CHARS ? body : `${cutText(body, MAX_DIFF_CHARS)}\n[Diff cut]`;
}
