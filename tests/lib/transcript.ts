/**
 * A Claude Code transcript (`.jsonl`) of a chosen size, shaped like the real ones
 * (`../shared/CLAUDE_CODE_JSONL.md`): a summary line, then user and assistant lines chained by
 * `parentUuid`. For the big-import browser test and the import benchmark.
 */
export interface GeneratedTranscript {
	text: string;
	title: string;
	exchanges: number;
	/** The text of the last answer, to find the end of the session once imported. */
	lastAnswer: string;
}

export function generateTranscript(options: {
	exchanges: number;
	/** Characters of prose per message (mixed scripts, emoji and combining marks included). */
	messageChars: number;
	title?: string;
}): GeneratedTranscript {
	const title = options.title ?? `Generated transcript of ${options.exchanges} exchanges`;
	const filler = 'Plain words, café, שלום, 😀 and 👩‍👩‍👧 in a sentence about code. ';
	const prose = (label: string) =>
		`${label} ${filler.repeat(Math.ceil(options.messageChars / filler.length))}`;
	const lines = [JSON.stringify({ type: 'summary', summary: title, leafUuid: 'leaf' })];
	const start = Date.parse('2026-01-01T10:00:00Z');
	let parent: string | null = null;
	let lastAnswer = '';
	for (let i = 0; i < options.exchanges; i++) {
		const common = {
			isSidechain: false,
			sessionId: 'generated-session',
			cwd: '/home/ada/project',
			timestamp: new Date(start + i * 2000).toISOString()
		};
		const question = `q${i}`;
		lines.push(
			JSON.stringify({
				...common,
				type: 'user',
				uuid: question,
				parentUuid: parent,
				message: { role: 'user', content: prose(`Question ${i}.`) }
			})
		);
		lastAnswer = `Answer number ${i} ends here.`;
		lines.push(
			JSON.stringify({
				...common,
				type: 'assistant',
				uuid: `a${i}`,
				parentUuid: question,
				message: {
					id: `msg_${i}`,
					role: 'assistant',
					model: 'claude-opus-4-6',
					content: [{ type: 'text', text: `${prose(`Answer ${i}.`)}\n\n${lastAnswer}` }],
					stop_reason: 'end_turn',
					usage: { input_tokens: 100 + i, output_tokens: 50 }
				}
			})
		);
		parent = `a${i}`;
	}
	return { text: lines.join('\n') + '\n', title, exchanges: options.exchanges, lastAnswer };
}
