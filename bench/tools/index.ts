import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import * as answers from '../../src/lib/core/answers.js';
import { projectDoc, sessionDoc } from '../../src/lib/core/doc-names.js';
import { writeFile } from '../../src/lib/core/files.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { setAskBeforeChangingFiles } from '../../src/lib/core/tools/approval.js';
import { RunManager } from '../../sync-server/runs/manager.js';
import { listModels, ModelCache } from '../../sync-server/runs/models.js';
import { createRunLog } from '../../sync-server/runs/run-log.js';
import { anthropicClient } from '../../sync-server/runs/upstream.js';
import type { DocAccess, HeldDoc } from '../../sync-server/runs/docs.js';
import { docKey, type DocKey } from '../../sync-server/storage/types.js';
import { startFakeAnthropic, type ScriptedReply } from '../../tests/fake-anthropic/index.js';
import { summarize, type Summary } from '../lib/stats.js';

export interface ToolsBenchOptions {
	files: number;
	rounds: number;
}

export interface ToolsBenchResult {
	files: number;
	rounds: number;
	/** Time inside the project document's change for one call (the tool's own work). */
	callMs: Summary;
	/** Bytes of Yjs update each round added to the project document. */
	bytesPerRound: Summary;
	/** The whole run, upstream included. */
	runSeconds: number;
}

const key = 'sk-ant-test-tools-bench';
const account = 'bench';

/**
 * Issue 9's figures: a scripted run of `rounds` tool rounds on a workspace of `files` files,
 * through the real run manager and SDK against the fake upstream; server time per tool call and
 * the bytes each round adds to the project document.
 */
export async function runToolsBench(options: ToolsBenchOptions): Promise<ToolsBenchResult> {
	const fake = await startFakeAnthropic({ keys: [key] });
	const projectKey = docKey(account, projectDoc('p'));
	const callMs: number[] = [];
	const bytes: number[] = [];
	const docs = new Map<DocKey, Y.Doc>();
	const access: DocAccess = {
		async open(k): Promise<HeldDoc> {
			let doc = docs.get(k);
			if (!doc) docs.set(k, (doc = new Y.Doc()));
			const held = doc;
			return {
				doc: held,
				change: async (apply) => {
					if (k !== projectKey) return held.transact(() => apply(held), 'server');
					let size = 0;
					const count = (update: Uint8Array) => (size += update.byteLength);
					held.on('update', count);
					const start = performance.now();
					held.transact(() => apply(held), 'server');
					callMs.push(performance.now() - start);
					held.off('update', count);
					bytes.push(size);
				},
				release: () => {}
			};
		}
	};
	const project = new Y.Doc();
	docs.set(projectKey, project);
	setAskBeforeChangingFiles(project, false);
	const body = Array.from({ length: 40 }, (_, i) => `line ${i}: const value${i} = ${i};`).join(
		'\n'
	);
	for (let i = 0; i < options.files; i++) writeFile(project, `src/dir${i % 50}/file${i}.ts`, body);
	const session = new Y.Doc();
	docs.set(docKey(account, sessionDoc('s')), session);
	shapes.initSession(session, 'p', 1);
	shapes.appendMessage(session, {
		id: 'm',
		role: 'user',
		text: 'Work',
		createdAt: 1,
		ask: 'waiting'
	});

	const calls: ((round: number) => { name: string; input: Record<string, unknown> })[] = [
		() => ({ name: 'list_files', input: { pattern: 'src/dir1*/**' } }),
		(r) => ({ name: 'read_file', input: { path: `src/dir${r % 50}/file${r}.ts`, limit: 20 } }),
		() => ({ name: 'search_files', input: { pattern: 'value3\\d', glob: 'src/dir2/**' } }),
		(r) => ({
			name: 'edit_file',
			input: {
				path: `src/dir${r % 50}/file${r}.ts`,
				old_string: 'line 7:',
				new_string: `line 7 (round ${r}):`
			}
		}),
		(r) => ({
			name: 'write_file',
			input: { path: `out/round${r}.md`, content: `Round ${r}\n`.repeat(20) }
		})
	];
	const replies: ScriptedReply[] = [];
	for (let r = 0; r < options.rounds; r++) {
		const call = calls[r % calls.length]!(r);
		replies.push({ blocks: [{ type: 'tool_use', ...call }] });
	}
	replies.push({ blocks: [{ type: 'text', text: 'Done.' }] });
	fake.script(...replies);

	const manager = new RunManager({
		docs: access,
		log: createRunLog(new Database(':memory:')),
		models: new ModelCache(),
		client: (apiKey, onRetryableStatus) => anthropicClient(apiKey, { onRetryableStatus }),
		listModels,
		idleMs: 30_000,
		maxToolRounds: options.rounds + 1
	});
	const previous = process.env.ANTHROPIC_BASE_URL;
	process.env.ANTHROPIC_BASE_URL = fake.url;
	const start = performance.now();
	try {
		await manager.ask({
			accountId: account,
			apiKey: key,
			sessionId: 's',
			messageId: 'm',
			attempt: 1
		});
		for (;;) {
			const entry = answers.findMessage(session, 'm');
			if (entry && answers.askStatus(entry) === 'answered') break;
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	} finally {
		await manager.close();
		await fake.close();
		process.env.ANTHROPIC_BASE_URL = previous;
	}
	return {
		files: options.files,
		rounds: options.rounds,
		callMs: summarize(callMs),
		bytesPerRound: summarize(bytes),
		runSeconds: (performance.now() - start) / 1000
	};
}

export function toolsTables(result: ToolsBenchResult): string[] {
	const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
	return [
		[
			`Tools (issue 9): ${result.rounds} rounds on ${result.files} files      p50        p99`,
			`server time per tool call           ${f(result.callMs.p50).padStart(8)} ms ${f(result.callMs.p99).padStart(8)} ms`,
			`bytes added to the project per round ${f(result.bytesPerRound.p50).padStart(8)} B  ${f(result.bytesPerRound.p99).padStart(8)} B`,
			`whole run (fake upstream included)  ${f(result.runSeconds).padStart(8)} s`
		].join('\n')
	];
}
