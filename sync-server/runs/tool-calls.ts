import type * as Y from 'yjs';
import { sessionMeta } from '../../src/lib/core/shapes.js';
import {
	approveFileChangesForSession,
	askBeforeChangingFiles,
	declinedResult,
	decisionOf,
	endedResult,
	expiredResult,
	sessionApprovesFileChanges,
	type ApprovalOutcome,
	type Decision
} from '../../src/lib/core/tools/approval.js';
import { fileChangingTools } from '../../src/lib/core/tools/definitions.js';
import { runTool, type ToolOutcome } from '../../src/lib/core/tools/run-tool.js';
import type { AnswerWriter } from './answer-writer.js';
import type { HeldDoc } from './docs.js';
import type { ToolCall } from './stream-answer.js';

export interface ToolCallsOptions {
	/** The session document the answer is in (approval decisions arrive in it). */
	session: HeldDoc;
	answer: AnswerWriter;
	calls: readonly ToolCall[];
	/** The project document the tools work on; undefined when the session has none. */
	project: HeldDoc | undefined;
	approvalMs: number;
	/** Aborted by Stop, a stall or shutdown: a waiting approval ends, the calls left are not run. */
	signal: AbortSignal;
	now?: () => number;
	/** Told when a call starts waiting for approval (notifications); never awaited. */
	onApprovalAsked?: (call: ToolCall, expiresAt: number) => void;
	/** Told when a call that waited for approval no longer waits, and how it ended. */
	onApprovalSettled?: (call: ToolCall, outcome: ApprovalOutcome) => void;
}

/** How a round of tool calls ended: all answered, or the run must end (expired, aborted). */
export type ToolCallsEnd = 'answered' | 'expired' | 'aborted';

const notRun = 'Not run: the run ended before this call.';

/**
 * Runs the tool calls of one answer in order, each recorded in its block as it goes (started,
 * waiting for approval, done or failed). File changes wait for a person's approval when the
 * project asks for it; the first decision any device writes is the one taken.
 */
export async function runToolCalls(options: ToolCallsOptions): Promise<ToolCallsEnd> {
	const { answer, calls } = options;
	const now = options.now ?? Date.now;
	for (const [position, call] of calls.entries()) {
		if (options.signal.aborted) {
			recordRest(options, position, notRun);
			await answer.flush();
			return 'aborted';
		}
		answer.change(() => answer.blockAt(call.index)?.set('startedAt', now()));
		let outcome: ToolOutcome;
		let approval: ApprovalOutcome | undefined;
		if (call.inputError) {
			outcome = { content: call.inputError, isError: true };
		} else if (!options.project) {
			outcome = {
				content: 'This session belongs to no project: there are no files.',
				isError: true
			};
		} else if (needsApproval(options, call)) {
			const decided = await askApproval(options, call, now);
			approval =
				decided === 'approve' || decided === 'approve_session'
					? 'approved'
					: decided === 'deny'
						? 'denied'
						: decided;
			options.onApprovalSettled?.(call, approval);
			if (decided === 'approve_session') {
				await options.session
					.change((doc) => approveFileChangesForSession(doc))
					.catch(() => undefined);
			}
			if (approval === 'approved') outcome = await run(options.project, call);
			else if (approval === 'denied') outcome = { content: declinedResult, isError: true };
			else {
				const ended =
					approval === 'expired' ? expiredResult(options.approvalMs / 1000) : endedResult;
				record(options, call, { content: ended, isError: true }, approval, now);
				recordRest(options, position + 1, notRun);
				await answer.flush();
				return approval === 'expired' ? 'expired' : 'aborted';
			}
		} else {
			outcome = await run(options.project, call);
		}
		record(options, call, outcome, approval, now);
		// Each record is stored (and relayed) as it completes: people watch the run go.
		await answer.flush();
	}
	return 'answered';
}

function needsApproval(options: ToolCallsOptions, call: ToolCall): boolean {
	if (!fileChangingTools.has(call.name) || !options.project) return false;
	if (!askBeforeChangingFiles(options.project.doc)) return false;
	return !sessionApprovesFileChanges(options.session.doc);
}

async function run(project: HeldDoc, call: ToolCall): Promise<ToolOutcome> {
	let outcome: ToolOutcome = { content: 'The tool did not run.', isError: true };
	try {
		await project.change((doc) => {
			outcome = runTool(doc, call.name, call.input);
		});
	} catch {
		// The project was deleted meanwhile, or storing failed: the run goes on and says so.
		return {
			content: 'The change could not be stored: the project may have been deleted.',
			isError: true
		};
	}
	return outcome;
}

function record(
	options: ToolCallsOptions,
	call: ToolCall,
	outcome: ToolOutcome,
	approval: ApprovalOutcome | undefined,
	now: () => number
): void {
	options.answer.change(() => {
		const block = options.answer.blockAt(call.index);
		if (!block) return;
		block.set('result', outcome.content);
		if (outcome.isError) block.set('isError', true);
		if (outcome.diff) block.set('diff', outcome.diff);
		if (approval) block.set('approval', approval);
		block.set('endedAt', now());
		block.set('status', outcome.isError ? 'error' : 'done');
	});
}

function recordRest(options: ToolCallsOptions, from: number, content: string): void {
	for (const call of options.calls.slice(from)) {
		options.answer.change(() => {
			const block = options.answer.blockAt(call.index);
			if (!block) return;
			block.set('result', content);
			block.set('isError', true);
			block.set('status', 'error');
		});
	}
}

/** Marks the call pending on every device and waits for the first decision, expiry or abort. */
async function askApproval(
	options: ToolCallsOptions,
	call: ToolCall,
	now: () => number
): Promise<Decision | 'expired' | 'ended'> {
	const { answer } = options;
	const expiresAt = now() + options.approvalMs;
	answer.change(() => {
		const block = answer.blockAt(call.index);
		block?.set('approval', 'pending');
		block?.set('approvalExpiresAt', expiresAt);
	});
	await answer.flush();
	options.onApprovalAsked?.(call, expiresAt);
	const doc: Y.Doc = options.session.doc;
	return new Promise((resolve) => {
		const finish = (value: Decision | 'expired' | 'ended') => {
			clearTimeout(timer);
			doc.off('update', check);
			options.signal.removeEventListener('abort', abort);
			resolve(value);
		};
		const check = () => {
			const block = answer.blockAt(call.index);
			const decision = block && decisionOf(block);
			if (decision) finish(decision);
			// "Approve for this session" given on another pending call of this session counts too.
			else if (sessionMeta(doc).get('approveFileChanges') === true) finish('approve');
		};
		const abort = () => finish('ended');
		const timer = setTimeout(() => finish('expired'), options.approvalMs);
		doc.on('update', check);
		options.signal.addEventListener('abort', abort);
		if (options.signal.aborted) abort();
		else check();
	});
}
