import { z } from 'zod';

/*
 * Claude's tools on the project workspace, modelled on Claude Code's: one zod schema per tool is
 * both the check every input passes (a bad input becomes an error result, never a crash) and the
 * JSON schema the API is offered, so the two cannot drift apart.
 */

const path = z
	.string()
	.min(1)
	.max(4096)
	.describe('Path of the file, relative to the workspace root');

export const toolInputs = {
	list_files: z
		.object({
			pattern: z
				.string()
				.max(1000)
				.optional()
				.describe('Glob the paths must match, e.g. "src/**/*.ts" (default: every file)')
		})
		.strict(),
	read_file: z
		.object({
			path,
			offset: z
				.number()
				.int()
				.min(1)
				.optional()
				.describe('Line number to start reading at (1-based, default 1)'),
			limit: z
				.number()
				.int()
				.min(1)
				.max(5000)
				.optional()
				.describe('How many lines to read (default 2000)')
		})
		.strict(),
	write_file: z
		.object({
			path,
			content: z.string().describe('The whole new content of the file')
		})
		.strict(),
	edit_file: z
		.object({
			path,
			old_string: z.string().min(1).describe('Exact text to replace'),
			new_string: z.string().describe('Text to put in its place'),
			replace_all: z
				.boolean()
				.optional()
				.describe('Replace every occurrence (default: old_string must occur exactly once)')
		})
		.strict(),
	search_files: z
		.object({
			pattern: z.string().min(1).max(1000).describe('JavaScript regular expression to search for'),
			glob: z.string().max(1000).optional().describe('Only search files whose path matches'),
			case_insensitive: z.boolean().optional()
		})
		.strict(),
	delete_file: z.object({ path }).strict(),
	update_project_information: z
		.object({
			content: z.string().describe('The text to write'),
			mode: z
				.enum(['replace', 'append'])
				.describe('replace: the whole project information; append: added at its end')
		})
		.strict()
} as const;

export type ToolName = keyof typeof toolInputs;
export type ToolInput<N extends ToolName> = z.infer<(typeof toolInputs)[N]>;

const descriptions: Record<ToolName, string> = {
	list_files:
		'List the files of the project workspace, optionally only those whose path matches a glob.',
	read_file:
		'Read a text file of the workspace. Lines come numbered ("<number>\\t<line>"); use offset and ' +
		'limit to read a long file in pages.',
	write_file:
		'Create a file, or replace the whole content of an existing one. Prefer edit_file for changes ' +
		'to an existing file.',
	edit_file:
		'Replace exact text in a file. old_string must occur exactly once unless replace_all is true; ' +
		'include enough surrounding text to make it unique.',
	search_files:
		'Search the workspace files for a regular expression; returns matching lines as ' +
		'"path:line: text". Nested quantifiers such as (a+)+ are refused.',
	delete_file: 'Delete a file from the workspace.',
	update_project_information:
		'Change the project information, the notes every conversation in this project starts with.'
};

export const toolNames = Object.keys(toolInputs) as ToolName[];

/** Tools that change files: with "Ask before changing files" on, a person approves them first. */
export const fileChangingTools: ReadonlySet<string> = new Set<ToolName>([
	'write_file',
	'edit_file',
	'delete_file'
]);

export function isToolName(name: string): name is ToolName {
	return Object.hasOwn(toolInputs, name);
}

export interface ToolDefinition {
	name: ToolName;
	description: string;
	input_schema: { type: 'object'; [key: string]: unknown };
}

/** The tools as the Messages API is offered them. */
export const toolDefinitions: ToolDefinition[] = toolNames.map((name) => {
	const { $schema: _ignored, ...schema } = z.toJSONSchema(toolInputs[name]) as Record<
		string,
		unknown
	>;
	return {
		name,
		description: descriptions[name],
		input_schema: { ...schema, type: 'object' }
	};
});

/** The input checked against the tool's schema, or what is wrong with it in a sentence. */
export function checkInput<N extends ToolName>(
	name: N,
	input: unknown
): { ok: true; value: ToolInput<N> } | { ok: false; error: string } {
	const parsed = toolInputs[name].safeParse(input);
	if (parsed.success) return { ok: true, value: parsed.data as ToolInput<N> };
	const problems = parsed.error.issues
		.slice(0, 5)
		.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
	return { ok: false, error: `Invalid input for ${name}: ${problems.join('; ')}` };
}
