import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readClaudeCodeTranscript } from './read-transcript.js';
import type { ImportedSession, ImportReport } from './transcript.js';

/*
 * [IM14] Every fixture of tests/fixtures/claude-code/ (see its SOURCES.md), with the counts
 * established by reading the files, not by running the parser. The listings were made with
 *
 *   jq -rc '[input_line_number, .type, .subtype, .uuid[0:8], .parentUuid[0:8], .isMeta,
 *            .isSidechain, .message.id[-6:], <first 50 characters of each content block>]'
 *
 * and the thread followed by hand from the leaf through parentUuid. "L12" is line 12 of the
 * file; "group X" the assistant lines sharing message.id ...X; a tool call is a tool_use block.
 */

interface Expected {
	file: string;
	sessions: {
		id: string;
		title: string | undefined;
		prompts: number;
		commands: number;
		assistant: number;
		toolCalls: number;
		/** Tool calls with a result joined. */
		answered: number;
		createdAt: string;
		updatedAt: string;
	}[];
	report: ImportReport;
}

const report = (counts: Partial<ImportReport>): ImportReport => ({
	sessions: 0,
	messages: 0,
	toolCalls: 0,
	lines: 0,
	skippedLines: 0,
	skippedReasons: {},
	hiddenMetaLines: 0,
	sidechainLines: 0,
	offThreadLines: 0,
	unmatchedToolResults: 0,
	...counts
});

const fixtures: Expected[] = [
	{
		// 2 lines, both isSidechain: true (a sub-agent's own file): nothing for the main thread.
		file: 'ccrider-agent-session.jsonl',
		sessions: [],
		report: report({ lines: 2, sidechainLines: 2 })
	},
	{
		// L1 user "test message" (root), L2 assistant msg-2 "response" (parent L1). No title line.
		file: 'ccrider-no-summary.jsonl',
		sessions: [
			{
				id: 'test-session-456',
				title: undefined,
				prompts: 1,
				commands: 0,
				assistant: 1,
				toolCalls: 0,
				answered: 0,
				createdAt: '2025-11-08T12:00:00.000Z',
				updatedAt: '2025-11-08T12:00:05.000Z'
			}
		],
		report: report({ sessions: 1, messages: 2, lines: 2 })
	},
	{
		// L1 summary "Test session" whose leafUuid (leaf-123) is not in the file: no leaf, but the
		// title of the file's only session. L2 user, L3 assistant as above.
		file: 'ccrider-sample.jsonl',
		sessions: [
			{
				id: 'session-123',
				title: 'Test session',
				prompts: 1,
				commands: 0,
				assistant: 1,
				toolCalls: 0,
				answered: 0,
				createdAt: '2025-11-08T12:00:00.000Z',
				updatedAt: '2025-11-08T12:00:05.000Z'
			}
		],
		report: report({ sessions: 1, messages: 2, lines: 3 })
	},
	{
		// 19 lines, every parentUuid null (so the thread follows the file order).
		// Skipped 6: L10 edge_010 whose message has "contenst" instead of content, L11 whose
		// message is the string "error" (invalid-message 2); L13 "massive error", L15 42, L16 [1]
		// (not-an-object 3); L14 {"silly":"this"} (no-type 1).
		// Session edge_cases, leaf: summary (L19) -> edge_011 (L12); the newest line of the session,
		// L18 (the valid edge_010, content ["wow error"]), follows L12 in the file, so the thread
		// runs to it. Prompts: L1, L3, L12, L18 = 4. Commands: L7 <command-name>test-command with
		// args, L8 <local-command-stdout> = 2. Hidden: L6 "Caveat: ..." = 1. Assistant: L2, L4
		// (FailingTool, answered by L5 is_error), L9 (MultiEdit, its result was in the skipped
		// L10) = 3, tool calls 2, answered 1. Times 11:00:00 (L1) to 11:03:30 (L12).
		// Session todowrite_session: L17 alone (its parent assistant_003 is not in the file):
		// 1 assistant message with 1 TodoWrite call, no result, no title (the summary's leaf is
		// in edge_cases).
		file: 'daaain-edge_cases.jsonl',
		sessions: [
			{
				id: 'edge_cases',
				title:
					'Tested various edge cases including markdown formatting, long text, tool errors, system messages, command outputs, special characters and emojis. All message types render correctly in the transcript viewer.',
				prompts: 4,
				commands: 2,
				assistant: 3,
				toolCalls: 2,
				answered: 1,
				createdAt: '2025-06-14T11:00:00.000Z',
				updatedAt: '2025-06-14T11:03:30.000Z'
			},
			{
				id: 'todowrite_session',
				title: undefined,
				prompts: 0,
				commands: 0,
				assistant: 1,
				toolCalls: 1,
				answered: 0,
				createdAt: '2025-06-14T10:02:00.000Z',
				updatedAt: '2025-06-14T10:02:00.000Z'
			}
		],
		report: report({
			sessions: 2,
			messages: 10,
			toolCalls: 3,
			lines: 19,
			skippedLines: 6,
			skippedReasons: { 'invalid-message': 2, 'not-an-object': 3, 'no-type': 1 },
			hiddenMetaLines: 1
		})
	},
	{
		// 12 lines, parentUuid null everywhere; L12 summary with leaf msg_011 (L11, the last).
		// Prompts msg_001, 003, 007, 011 = 4; tool results msg_005 (tool_001), msg_009 (tool_002);
		// assistant msg_002, 004 (Edit), 006, 008 (Bash), 010 = 5, tool calls 2, both answered.
		file: 'daaain-representative_messages.jsonl',
		sessions: [
			{
				id: 'test_session',
				title:
					'User learned about Python decorators, including basic decorators and parameterized decorators. Created and ran examples showing how decorators work with functions. User is now ready to implement their own timing decorator.',
				prompts: 4,
				commands: 0,
				assistant: 5,
				toolCalls: 2,
				answered: 2,
				createdAt: '2025-06-14T10:00:00.000Z',
				updatedAt: '2025-06-14T10:04:00.000Z'
			}
		],
		report: report({ sessions: 1, messages: 9, toolCalls: 2, lines: 12 })
	},
	{
		// 3 lines, parentUuid null: user, assistant, user. No title line.
		file: 'daaain-session_b.jsonl',
		sessions: [
			{
				id: 'session_b',
				title: undefined,
				prompts: 2,
				commands: 0,
				assistant: 1,
				toolCalls: 0,
				answered: 0,
				createdAt: '2025-06-14T12:00:00.000Z',
				updatedAt: '2025-06-14T12:01:00.000Z'
			}
		],
		report: report({ sessions: 1, messages: 3, lines: 3 })
	},
	{
		// 12 lines (the last without newline): a linked chain user_001 <- assistant_001 <- ... <-
		// user_005. Summary leaf assistant_006 (L11); user_005 (L12, the result of its TodoWrite)
		// descends from it, so the thread runs to it. Prompts user_001, user_004 = 2; assistant
		// msg_001..msg_006 = 6 (one line each); TodoWrite calls in msg_002, 004, 006 = 3, answered
		// by user_002, 003, 005.
		file: 'daaain-todowrite_examples.jsonl',
		sessions: [
			{
				id: 'todowrite_session',
				title: 'Feature Implementation with Task Management',
				prompts: 2,
				commands: 0,
				assistant: 6,
				toolCalls: 3,
				answered: 3,
				createdAt: '2025-06-14T10:00:00.000Z',
				updatedAt: '2025-06-14T10:04:01.000Z'
			}
		],
		report: report({ sessions: 1, messages: 8, toolCalls: 3, lines: 12 })
	},
	{
		// 8 lines without parentUuid fields (file order); L1 summary with an unknown leaf gives
		// the only session its title. Prompts msg-001, msg-006 = 2; assistant msg-002 (text +
		// Write), msg-004 (Bash), msg-007 = 3 (no message.id: one message per line); tool calls 2,
		// answered by msg-003 and msg-005.
		file: 'simonw-sample_session.jsonl',
		sessions: [
			{
				id: 'test-session-id',
				title: 'Test session for JSONL parsing',
				prompts: 2,
				commands: 0,
				assistant: 3,
				toolCalls: 2,
				answered: 2,
				createdAt: '2025-12-24T10:00:00.000Z',
				updatedAt: '2025-12-24T10:01:05.000Z'
			}
		],
		report: report({ sessions: 1, messages: 5, toolCalls: 2, lines: 8 })
	},
	{
		// 15 lines. Leaf: L15 (system local_command, the newest). Walk: L15 <- L14 <- L13
		// "[Request interrupted by user for tool use]" (hidden) <- L12 (result of Glob) <- L10
		// (Glob) <- L9 progress <- L8 (Bash) <- L7 <- L6 <- L5 <- L4 prompt <- L3 progress <- L2
		// progress. L11 (result of Bash, parent L8) is off the walk and still joins its call.
		// Assistant: group pYiiQa = L5 "\n\n", L6 thinking, L7 text, L8 Bash, L10 Glob = 1 message,
		// 2 tool calls, both answered (rejected). Prompts: L4 = 1; commands: L14 "/model", L15
		// "Kept model as Default (recommended)" = 2; hidden 1. Times: L2 21:11:52.438 to L15.
		file: 'spotter-short.jsonl',
		sessions: [
			{
				id: '55604662-cf2a-4331-851a-ec234028f8ca',
				title: undefined,
				prompts: 1,
				commands: 2,
				assistant: 1,
				toolCalls: 2,
				answered: 2,
				createdAt: '2026-02-10T21:11:52.438Z',
				updatedAt: '2026-02-10T21:16:12.381Z'
			}
		],
		report: report({ sessions: 1, messages: 4, toolCalls: 2, lines: 15, hiddenMetaLines: 1 })
	},
	{
		// 96 lines: 44 progress (19 of them agent_progress of the Task sub-agent, off the walk),
		// 3 file-history-snapshot, 20 user, 28 assistant in 12 groups, 1 system stop_hook_summary.
		// Leaf L96 (system); the walk passes every group and every answered call.
		// Prompts: L71 "create the beads" = 1; commands: L4 /handgemacht:create-beads with its
		// args = 1; hidden: L5 (isMeta, the expanded skill) and L69 "[Request interrupted by
		// user]" = 2. Assistant groups EieBJx (WebFetch, 3 WebSearch), fbcsgM (Glob, WebSearch),
		// WbxX55 (Read), jU2bio (WebSearch), 4a4tbE (AskUserQuestion), rXThFY (Task), at58J6
		// (Write), AnSMLm (ExitPlanMode), m4qprJ (Bash), igo9eo (2 Bash), h1Qhm1 (Bash), 8qKXWY
		// (text) = 12 messages, 16 tool calls, answered by the 16 tool_result lines L13-16, 21,
		// 23, 26, 30, 34, 56, 66, 68, 76, 82, 86, 91 (L13-15 and L82 hang off the walk).
		file: 'spotter-subagent.jsonl',
		sessions: [
			{
				id: '491e126e-1e71-469c-ade2-fcc8af567c74',
				title: undefined,
				prompts: 1,
				commands: 1,
				assistant: 12,
				toolCalls: 16,
				answered: 16,
				createdAt: '2026-02-10T21:54:15.897Z',
				updatedAt: '2026-02-10T22:03:51.807Z'
			}
		],
		report: report({ sessions: 1, messages: 14, toolCalls: 16, lines: 96, hiddenMetaLines: 2 })
	},
	{
		// 39 lines. Leaf L39 "[Request interrupted by user]". Prompts: L4 "start phoenix in
		// background", L26 "scrolling back in xterm.js ..." = 2. Commands: L21 user /mcp, L22
		// user stdout "Reconnected to tidewave.", L23 system /mcp, L24 system stdout "MCP dialog
		// dismissed" = 4. Hidden: L18 and L39 "[Request interrupted", L20 isMeta caveat = 3.
		// Assistant groups K7hVSg (Bash), gyo9kz (text, Bash), DSj7e6 (text, thinking, WebSearch,
		// Glob; results L33 on the walk and L32 beside it), 5jdsym (Read at L34, its result L36,
		// then WebFetch at L37 in the same response) = 4 messages, 6 tool calls, all answered.
		file: 'spotter-tool_heavy.jsonl',
		sessions: [
			{
				id: 'd6e0bada-1959-4eec-a9d2-0bfade768d8f',
				title: undefined,
				prompts: 2,
				commands: 4,
				assistant: 4,
				toolCalls: 6,
				answered: 6,
				createdAt: '2026-02-10T22:57:51.291Z',
				updatedAt: '2026-02-10T22:59:46.748Z'
			}
		],
		report: report({ sessions: 1, messages: 10, toolCalls: 6, lines: 39, hiddenMetaLines: 3 })
	}
];

const fixtureDir = new URL('../../../../tests/fixtures/claude-code/', import.meta.url);

async function* inChunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
	for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function summarize(session: ImportedSession): Expected['sessions'][number] {
	const calls = session.messages.flatMap((m) =>
		m.role === 'assistant' ? m.blocks.filter((b) => b.type === 'tool_use') : []
	);
	const kind = (k: string) => session.messages.filter((m) => m.role === 'user' && m.kind === k);
	return {
		id: session.sourceSessionId,
		title: session.title,
		prompts: kind('prompt').length,
		commands: kind('command').length,
		assistant: session.messages.filter((m) => m.role === 'assistant').length,
		toolCalls: calls.length,
		answered: calls.filter((c) => c.result !== undefined).length,
		createdAt: new Date(session.createdAt).toISOString(),
		updatedAt: new Date(session.updatedAt).toISOString()
	};
}

describe('Claude Code fixtures', () => {
	it('[IM14] the list covers every fixture file', () => {
		const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.jsonl'));
		expect(files.sort()).toEqual(fixtures.map((f) => f.file).sort());
	});

	for (const expected of fixtures) {
		it(`[IM14] ${expected.file} imports with the counts read from the file`, async () => {
			const bytes = readFileSync(new URL(expected.file, fixtureDir));
			// Small chunks, so that lines and characters are split between them.
			const result = await readClaudeCodeTranscript(inChunks(bytes, 97));
			expect(result.sessions.map(summarize)).toEqual(expected.sessions);
			expect(result.report).toEqual(expected.report);
		});
	}
});
