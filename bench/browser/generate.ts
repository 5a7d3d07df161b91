import { seeded } from '../lib/stats.js';

export interface GeneratedMessage {
	id: string;
	role: 'user' | 'assistant';
	text: string;
	createdAt: number;
}

const words =
	'the a session project sync document update server client message store render list of to and in with code function return value error test build query row index time'.split(
		' '
	);

/**
 * A long conversation: short questions, longer answers with a code block now and then. Each text
 * starts with `m<seq> ` so the page can tell which message it shows. Deterministic per seed.
 */
export function generateMessages(count: number, seed = 7): GeneratedMessage[] {
	const random = seeded(seed);
	const sentence = () => {
		const n = 6 + Math.floor(random() * 12);
		const out: string[] = [];
		for (let i = 0; i < n; i++) out.push(words[Math.floor(random() * words.length)] ?? 'x');
		return out.join(' ') + '.';
	};
	const messages: GeneratedMessage[] = [];
	for (let seq = 0; seq < count; seq++) {
		const role = seq % 2 === 0 ? 'user' : 'assistant';
		const sentences = role === 'user' ? 1 + Math.floor(random() * 3) : 3 + Math.floor(random() * 8);
		const parts = [`m${seq}`];
		for (let i = 0; i < sentences; i++) parts.push(sentence());
		if (role === 'assistant' && random() < 0.2) {
			parts.push('\n```ts\nexport function f(x: number) {\n\treturn x * 2;\n}\n```\n');
		}
		messages.push({
			id: `bench-${seq}`,
			role,
			text: parts.join(' '),
			createdAt: 1_700_000_000_000 + seq * 1000
		});
	}
	return messages;
}
