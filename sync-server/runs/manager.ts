import { randomBytes } from 'node:crypto';
import type * as Y from 'yjs';
import * as answers from '../../src/lib/core/answers.js';
import { projectDoc, sessionDoc } from '../../src/lib/core/doc-names.js';
import { buildHistory, interruptedToolResult } from '../../src/lib/core/history.js';
import { endedResult } from '../../src/lib/core/tools/approval.js';
import { messageRow, messageRows, sessionRows } from '../../src/lib/core/projection.js';
import * as shapes from '../../src/lib/core/shapes.js';
import { HttpError } from '../http/api.js';
import { docKey, type DocKey } from '../storage/types.js';
import { AnswerWriter } from './answer-writer.js';
import type { DocAccess, HeldDoc } from './docs.js';
import { abortErrors, describeRunError, type AbortReason } from './errors.js';
import type { MessageRow, RunError } from '../../src/lib/core/rows.js';
import { defaultModel, fallbackMaxTokens, type ModelCache, type OfferedModel } from './models.js';
import type { RunLog } from './run-log.js';
import { streamAnswer, type ToolCall } from './stream-answer.js';
import { runToolCalls } from './tool-calls.js';
import { toolDefinitions } from '../../src/lib/core/tools/definitions.js';
import type Anthropic from '@anthropic-ai/sdk';
import type { EndedRun } from '../../src/lib/core/run-notice.js';
import {
	pathOfInput,
	type AskedApproval,
	type SettledApproval
} from '../../src/lib/core/approval-notice.js';
import type { ApprovalOutcome } from '../../src/lib/core/tools/approval.js';

export interface RunRequest {
	accountId: string;
	/** Kept in memory for this run only; never stored or logged. */
	apiKey: string;
	sessionId: string;
	messageId: string;
	attempt: number;
}

export interface RunManagerOptions {
	docs: DocAccess;
	log: RunLog;
	models: ModelCache;
	/** A client for one person's key (the configured upstream). */
	client: (
		apiKey: string,
		onRetryableStatus: (status: number, headers: Headers) => void
	) => Anthropic;
	listModels: (client: Anthropic) => Promise<OfferedModel[]>;
	defaultModel?: string;
	/** A stream silent for this long is given up (R19). */
	idleMs: number;
	/** Streamed text is written in batches this far apart. */
	writeIntervalMs?: number;
	/** Tool rounds one run may take (TETHER_MAX_TOOL_ROUNDS). */
	maxToolRounds?: number;
	/** How long a file change waits for a person's approval (TETHER_APPROVAL_SECONDS). */
	approvalMs?: number;
	onError?: (message: string, error?: unknown) => void;
	/** Told when a run ended, however it ended (notifications); never awaited. */
	onRunEnded?: (accountId: string, ended: EndedRun) => void;
	/** Told when a file change waits for a person's approval (notifications); never awaited. */
	onApprovalAsked?: (accountId: string, asked: AskedApproval) => void;
	/** Told when such a call no longer waits: answered anywhere, expired or ended; never awaited. */
	onApprovalSettled?: (accountId: string, settled: SettledApproval) => void;
	/** Several instances: one claim per message and attempt across all of them (R22). */
	sharedClaims?: SharedClaims;
	/**
	 * A run whose end could not be stored is ended again after each of these waits ([RN15]);
	 * past the last, at the next start.
	 */
	endRetryMs?: readonly number[];
}

/** Waits between tries to store the end of a run that failed: storage may come back. */
const defaultEndRetryMs = [1_000, 5_000, 30_000, 120_000];

/** How an answer ends when the server could not store the rest of it ([RN15]). */
export const storeFailed: RunError = {
	kind: 'store_failed',
	message: 'The Tether server could not save this answer, so it ends here.'
};

type RunId = Pick<RunRequest, 'accountId' | 'sessionId' | 'messageId' | 'attempt'>;

/** Claims every instance sees (a unique row in PostgreSQL, see shared-claims.ts). */
export interface SharedClaims {
	/** True for the one instance that claimed this attempt first. */
	claim(run: RunId): Promise<boolean>;
	/** The attempt never started: it may be asked for again, on any instance. */
	forget(run: RunId): Promise<void>;
	/** The run is over: no instance needs to end it after a crash. */
	ended(run: RunId): Promise<void>;
	/**
	 * Claims whose instance is gone (it stopped saying it is alive), or that this instance's id
	 * held in an earlier life, become this instance's: it ends them as after its own crash.
	 */
	takeOver(): Promise<RunId[]>;
	/**
	 * The lease this instance holds on its claims right now: a number that changes each time the
	 * lease lapsed (its beats stopped long enough that another instance may have taken its claims
	 * over), undefined while lapsed. A run writes only under the lease it started with ([IN13]).
	 */
	lease(): number | undefined;
	/** True while the claim is still this instance's and not ended. */
	owns(run: RunId): Promise<boolean>;
}

export const defaultMaxToolRounds = 20;
export const defaultApprovalMs = 600_000;
const summarySourceGone = 'The session to summarize is no longer there, so no summary was written.';
const approvalExpired = 'Nobody answered the approval in time, so the run ended.';
const roundsUsed = (max: number) =>
	`Claude used ${max} rounds of tools, the most one run may take: send a message to let it go on.`;

interface Run extends RunRequest {
	controller: AbortController;
	reason: AbortReason | undefined;
	done: Promise<void>;
	/** Several instances: the lease it runs under; once that lapsed it writes nothing more. */
	lease: number | undefined;
	fenced: boolean;
}

/** A run's write refused because its instance's lease on the claim lapsed ([IN13]). */
class FencedError extends Error {
	constructor() {
		super('this instance may no longer hold the claim of this run');
	}
}

/** Queued and running runs of one session: they answer in order, one at a time. */
interface SessionRuns {
	running: Run | undefined;
	queue: RunRequest[];
}

export const newAnswerId = () => randomBytes(12).toString('base64url');

/**
 * Runs on the server: accepted once per message and attempt (R22), one at a time per session in
 * the order asked, written into the session document as they stream, ended in words however they
 * end, and never left running (Stop, stalls, shutdown, and a restart after kill -9 all end them).
 */
export class RunManager {
	readonly #options: RunManagerOptions;
	readonly #sessions = new Map<DocKey, SessionRuns>();
	/** Runs cut by a lapsed lease whose claims may still be this instance's to end ([IN13]). */
	readonly #fenced: RunId[] = [];
	/** Timers of runs whose end is stored again later ([RN15]); cleared at shutdown. */
	readonly #endRetries = new Set<ReturnType<typeof setTimeout>>();
	#closing = false;

	constructor(options: RunManagerOptions) {
		this.#options = options;
	}

	/** Accepts a run for a person's message; refuses in words what it cannot run. */
	async ask(request: RunRequest): Promise<{ state: 'running' | 'queued' }> {
		if (this.#closing)
			throw new HttpError(503, 'shutting_down', 'The server is restarting: ask again in a moment');
		const key = docKey(request.accountId, sessionDoc(request.sessionId));
		const held = await this.#open(key);
		try {
			const entry = answers.findMessage(held.doc, request.messageId);
			if (!entry || entry.get('role') !== 'user') {
				throw new HttpError(404, 'message_not_found', 'That message is not on the server (yet)');
			}
			const ask = answers.askStatus(entry);
			const attempt = answers.attemptOf(entry);
			if (ask !== 'waiting' || attempt !== request.attempt) {
				throw new HttpError(
					409,
					'already_asked',
					'That message was already answered or is being answered'
				);
			}
			// Across instances the shared claim decides: a request on another instance gets 409.
			if (this.#options.sharedClaims && !(await this.#options.sharedClaims.claim(request))) {
				throw new HttpError(
					409,
					'already_asked',
					'That message was already answered or is being answered'
				);
			}
			// Synchronous from here to the claim: a second request for the same message gets 409.
			if (!this.#options.log.claim(request)) {
				throw new HttpError(
					409,
					'already_asked',
					'That message was already answered or is being answered'
				);
			}
			const session = this.#session(key);
			const state = session.running ? 'queued' : 'running';
			session.queue.push(request);
			// Applied and relayed at once; the request needs no wait for the disk.
			held
				.change(() => answers.setAsk(entry, 'queued'))
				.catch((error: unknown) => this.#options.onError?.('marking a run queued failed', error));
			this.#next(key);
			return { state };
		} finally {
			held.release();
		}
	}

	/** Stop: ends the running run of the session (R20); queued ones still follow. */
	stop(accountId: string, sessionId: string, messageId?: string): boolean {
		const run = this.#sessions.get(docKey(accountId, sessionDoc(sessionId)))?.running;
		if (!run || (messageId && run.messageId !== messageId)) return false;
		this.#abort(run, 'stop');
		return true;
	}

	/** Shutdown: every running run ends interrupted with its partial answer, queued ones wait again. */
	async close(): Promise<void> {
		this.#closing = true;
		// Runs still to be ended stay "running" in the log: the next start ends them.
		for (const timer of this.#endRetries) clearTimeout(timer);
		this.#endRetries.clear();
		const pending: Promise<void>[] = [];
		for (const [key, session] of this.#sessions) {
			const queued = session.queue.splice(0);
			pending.push(this.#requeue(key, queued));
			if (session.running) {
				this.#abort(session.running, 'shutdown');
				pending.push(session.running.done);
			}
		}
		await Promise.all(pending);
	}

	/** After a crash: runs the log says were running end interrupted, queued ones wait again. */
	async recover(): Promise<void> {
		for (const run of this.#options.log.unfinished()) await this.#endLeftover(run, run.answerId);
	}

	/**
	 * Several instances: runs another instance claimed and can no longer end (it died and is not
	 * coming back with its run log) end here the same way ([IN12]).
	 */
	async recoverShared(): Promise<number> {
		const claims = this.#options.sharedClaims;
		if (this.#closing || !claims) return 0;
		const runs = await claims.takeOver();
		for (const run of runs) {
			// Not in this instance's log: the answer is found in the session by what it replies to.
			await this.#endLeftover(run, undefined);
		}
		// Runs this instance cut when its lease lapsed: those no other instance took over end here.
		for (const run of this.#fenced.splice(0)) {
			if (await claims.owns(run)) await this.#endLeftover(run, undefined);
		}
		return runs.length;
	}

	/**
	 * `answerId` undefined: unknown, any answer still streaming in reply to the message is it.
	 * False when the end could not be stored: the log keeps the run as running, for another try.
	 */
	async #endLeftover(
		run: RunId,
		answerId: string | null | undefined,
		error: RunError = abortErrors.shutdown
	): Promise<boolean> {
		const key = docKey(run.accountId, sessionDoc(run.sessionId));
		let held: HeldDoc;
		try {
			held = await this.#options.docs.open(key);
		} catch (openError) {
			// The session is gone (deleted): nothing to mark.
			this.#forget(run);
			this.#options.onError?.('recovering an unfinished run failed', openError);
			return true;
		}
		let started = false;
		try {
			await held.change((doc) => {
				const entry = answers.findMessage(doc, run.messageId);
				const answer =
					answerId === undefined
						? streamingReplyTo(doc, run.messageId)
						: answerId
							? answers.findMessage(doc, answerId)
							: undefined;
				// The answer began (it may have streamed a while): it ends interrupted. Without
				// the run log, a message already answered counts as begun too.
				started =
					answer !== undefined ||
					(answerId === undefined &&
						entry !== undefined &&
						answers.askStatus(entry) === 'answered');
				if (answer?.get('status') === 'streaming') {
					endUnfinishedToolCalls(answer);
					answers.finishAnswer(answer, { status: 'interrupted', error });
				}
				if (!entry) return;
				if (started) answers.setAsk(entry, 'answered');
				// Never began: it waits to be asked again.
				else if (answers.askStatus(entry) !== 'answered') answers.setAsk(entry, 'waiting');
			});
		} catch (changeError) {
			this.#options.onError?.('ending an unfinished run failed', changeError);
			return false;
		} finally {
			held.release();
		}
		// A run that never began is asked again under the same attempt: a fresh claim.
		if (!started) this.#forget(run);
		else this.#markEnded(run);
		return true;
	}

	/**
	 * A run failed before its end was stored (storage refused a write): its answer would say
	 * "Writing…" for ever. It is ended again after a wait, and again, while storage refuses; the
	 * log keeps it running meanwhile, so a restart ends it too ([RN15]).
	 */
	#endLater(run: RunId, answerId: string, attempt = 0): void {
		const waits = this.#options.endRetryMs ?? defaultEndRetryMs;
		if (this.#closing || attempt >= waits.length) return;
		const timer = setTimeout(() => {
			this.#endRetries.delete(timer);
			void this.#endLeftover(run, answerId, storeFailed).then((done) => {
				if (!done) this.#endLater(run, answerId, attempt + 1);
			});
		}, waits[attempt]);
		this.#endRetries.add(timer);
	}

	#session(key: DocKey): SessionRuns {
		let session = this.#sessions.get(key);
		if (!session) {
			session = { running: undefined, queue: [] };
			this.#sessions.set(key, session);
		}
		return session;
	}

	#next(key: DocKey): void {
		const session = this.#sessions.get(key);
		if (!session || session.running || this.#closing) return;
		const request = session.queue.shift();
		if (!request) {
			this.#sessions.delete(key);
			return;
		}
		const run: Run = {
			...request,
			controller: new AbortController(),
			reason: undefined,
			done: Promise.resolve(),
			lease: this.#options.sharedClaims?.lease(),
			fenced: false
		};
		session.running = run;
		run.done = this.#execute(key, run)
			.then((ended) => {
				if (ended) this.#options.onRunEnded?.(run.accountId, ended);
			})
			.catch((error: unknown) => this.#options.onError?.('a run failed', error))
			.finally(() => {
				session.running = undefined;
				this.#next(key);
			});
	}

	/** Runs one answer (with its tool rounds); what it ended as, for notifications. */
	async #execute(key: DocKey, run: Run): Promise<EndedRun | undefined> {
		const options = this.#options;
		const held = this.#underLease(run, await this.#open(key));
		let project: HeldDoc | undefined;
		let answerId = newAnswerId();
		let failed = false;
		try {
			// Notices before the answer exists (while listing models) have nowhere to go: dropped.
			let answer = new AnswerWriter(held, answerId, options.writeIntervalMs);
			const client = options.client(run.apiKey, (status, headers) =>
				answer.setNotice(retryNotice(status, headers))
			);
			let listingError: unknown;
			const models = await options.models
				.get(run.accountId, () => options.listModels(client))
				.catch((error: unknown) => {
					listingError = error;
					return [] as OfferedModel[];
				});
			const meta = shapes.sessionMeta(held.doc);
			const chosen = meta.get('model');
			const model =
				models.find((m) => m.id === chosen) ??
				(typeof chosen === 'string' ? undefined : defaultModel(models, options.defaultModel));
			const modelId = model?.id ?? (typeof chosen === 'string' ? chosen : options.defaultModel);
			const projectId = meta.get('projectId');
			const opened = await this.#openProject(run.accountId, projectId);
			project = opened && this.#underLease(run, opened);
			// Compact: the message asks for a summary of another session, whose history goes first.
			const summaryOf = answers.findMessage(held.doc, run.messageId)?.get('summaryOf');
			const summarizing = typeof summaryOf === 'string';
			const earlier = summarizing
				? await this.#earlierRows(run.accountId, summaryOf, projectId)
				: [];
			const markAnswered = (doc: Y.Doc) => {
				const entry = answers.findMessage(doc, run.messageId);
				if (entry) answers.setAsk(entry, 'answered');
			};
			// The answers of this run so far: one per tool round, each sent back in the next request.
			const rounds = new Set<string>();
			const maxRounds = options.maxToolRounds ?? defaultMaxToolRounds;
			for (let round = 1; ; round++) {
				const system = project ? shapes.projectInfo(project.doc).toString().trim() : '';
				const history = earlier ? runHistory(run, held.doc, rounds, earlier) : [];
				// Logged first, so a crash from here on finds the answer to end (recover()).
				this.#options.log.set(run, 'running', answerId);
				// Not awaited: the answer's writes queue behind it on the document, and the request to
				// the API starts without waiting for the disk (the first token is what a person waits for).
				const started = answerId;
				held
					.change((doc) => {
						const entry = answers.findMessage(doc, run.messageId);
						if (entry) answers.setAsk(entry, 'running');
						answers.startAnswer(doc, {
							id: started,
							replyTo: run.messageId,
							model: modelId ?? 'unknown',
							createdAt: Date.now()
						});
					})
					.catch((error: unknown) => this.#options.onError?.('starting an answer failed', error));
				rounds.add(answerId);
				if (!modelId || history.length === 0) {
					const error: RunError = !modelId
						? listingError
							? describeRunError(listingError)
							: { kind: 'no_model', message: 'No model is available to this API key.' }
						: !earlier
							? { kind: 'summary_source', message: summarySourceGone }
							: { kind: 'empty', message: 'There is nothing to answer yet.' };
					await answer.finish({ status: 'failed', error }, markAnswered);
					return this.#ended(run, held.doc, answerId, project);
				}
				const streamed = await streamAnswer({
					client,
					params: {
						model: modelId,
						max_tokens: model?.maxTokens ?? fallbackMaxTokens,
						messages: history as Anthropic.MessageParam[],
						...(system ? { system } : {}),
						// A summary is written from the conversation alone: no tools.
						...(project && !summarizing ? { tools: toolDefinitions } : {})
					},
					writer: answer,
					controller: run.controller,
					reason: () => run.reason,
					abort: (reason) => this.#abort(run, reason),
					idleMs: options.idleMs
				});
				const end = streamed.end;
				if (
					summarizing ||
					end.status !== 'done' ||
					end.stopReason !== 'tool_use' ||
					streamed.toolCalls.length === 0
				) {
					await answer.finish(end, markAnswered);
					// The summary is written: only now does the old session link to this one.
					if (summarizing && end.status === 'done' && !end.error) {
						await this.#linkForward(project, summaryOf, run.sessionId);
					}
					return this.#ended(run, held.doc, answerId, project);
				}
				await answer.flush();
				const calls = await runToolCalls({
					session: held,
					answer,
					calls: streamed.toolCalls,
					project,
					approvalMs: options.approvalMs ?? defaultApprovalMs,
					signal: run.controller.signal,
					onApprovalAsked: (call, expiresAt) =>
						this.#approvalAsked(run, held.doc, project, call, expiresAt),
					onApprovalSettled: (call, outcome) =>
						this.#approvalSettled(run, held.doc, project, call, outcome)
				});
				if (calls === 'aborted') {
					const reason = run.reason ?? 'shutdown';
					await answer.finish(
						reason === 'stop'
							? { ...end, status: 'stopped' }
							: { ...end, status: 'interrupted', error: abortErrors[reason] },
						markAnswered
					);
					return this.#ended(run, held.doc, answerId, project);
				}
				if (calls === 'expired') {
					await answer.finish(
						{ ...end, error: { kind: 'approval_expired', message: approvalExpired } },
						markAnswered
					);
					return this.#ended(run, held.doc, answerId, project);
				}
				if (round >= maxRounds) {
					await answer.finish(
						{ ...end, error: { kind: 'tool_rounds', message: roundsUsed(maxRounds) } },
						markAnswered
					);
					return this.#ended(run, held.doc, answerId, project);
				}
				// The round is done; Claude is asked again with the results, in a new answer.
				await answer.finish(end);
				answerId = newAnswerId();
				answer = new AnswerWriter(held, answerId, options.writeIntervalMs);
			}
		} catch (error) {
			failed = true;
			throw error;
		} finally {
			// A fenced run's claim is ended by whoever holds it now (recoverShared, or another
			// instance); here it is only over.
			if (run.fenced) this.#options.log.set(run, 'ended');
			else if (failed) this.#endLater(run, answerId);
			else this.#markEnded(run);
			project?.release();
			held.release();
		}
	}

	/**
	 * The document as a run of several instances may write it: only while this instance holds
	 * the lease the run started under. The first refused write cuts the run for good, even if
	 * the lease comes back, since another instance may have ended it meanwhile ([IN13]).
	 */
	#underLease(run: Run, held: HeldDoc): HeldDoc {
		const claims = this.#options.sharedClaims;
		if (!claims) return held;
		return {
			doc: held.doc,
			release: () => held.release(),
			change: (apply) => {
				const lease = claims.lease();
				if (!run.fenced && (lease === undefined || lease !== run.lease)) {
					run.fenced = true;
					this.#fenced.push(run);
					this.#abort(run, 'shutdown');
					this.#options.onError?.('a run stopped: this instance lost its lease on it');
				}
				if (run.fenced) return Promise.reject(new FencedError());
				return held.change(apply);
			}
		};
	}

	/** How the last answer of a run ended, with what a notification says of it (if someone listens). */
	#ended(
		run: Run,
		doc: Y.Doc,
		answerId: string,
		project: HeldDoc | undefined
	): EndedRun | undefined {
		const projectId = shapes.sessionMeta(doc).get('projectId');
		if (!this.#options.onRunEnded || typeof projectId !== 'string') return undefined;
		const entry = answers.findMessage(doc, answerId);
		if (!entry) return undefined;
		const row = messageRow(run.sessionId, 0, entry);
		return {
			projectId,
			sessionId: run.sessionId,
			answerId,
			status: row.status ?? 'done',
			text: row.text,
			error: row.error?.message,
			sessionTitle: project
				? sessionRows(projectId, project.doc).rows.find((s) => s.id === run.sessionId)?.title
				: undefined
		};
	}

	/** The rows of the session a compacted one summarizes; undefined when it is gone. */
	async #earlierRows(
		accountId: string,
		sessionId: string,
		projectId: unknown
	): Promise<MessageRow[] | undefined> {
		let held: HeldDoc;
		try {
			held = await this.#options.docs.open(docKey(accountId, sessionDoc(sessionId)));
		} catch {
			return undefined;
		}
		try {
			// Only a session of the same project (the same account is given by the key).
			if (shapes.sessionMeta(held.doc).get('projectId') !== projectId) return undefined;
			return messageRows(sessionId, held.doc);
		} finally {
			held.release();
		}
	}

	async #linkForward(project: HeldDoc | undefined, from: string, to: string): Promise<void> {
		try {
			await project?.change((doc) => shapes.setContinuedIn(doc, from, to));
		} catch (error) {
			this.#options.onError?.('linking a compacted session failed', error);
		}
	}

	/** Says which call waits for approval, to whoever listens (notifications). */
	#approvalAsked(
		run: Run,
		doc: Y.Doc,
		project: HeldDoc | undefined,
		call: ToolCall,
		expiresAt: number
	): void {
		const waiting = this.#waitingCall(run, doc, project, call);
		if (waiting) this.#options.onApprovalAsked?.(run.accountId, { ...waiting, expiresAt });
	}

	/** Says that a call no longer waits for approval, and why, to whoever listens. */
	#approvalSettled(
		run: Run,
		doc: Y.Doc,
		project: HeldDoc | undefined,
		call: ToolCall,
		outcome: ApprovalOutcome
	): void {
		const waiting = this.#waitingCall(run, doc, project, call);
		if (waiting) this.#options.onApprovalSettled?.(run.accountId, { ...waiting, outcome });
	}

	/** What a notification names of a call waiting for approval; undefined outside a project. */
	#waitingCall(run: Run, doc: Y.Doc, project: HeldDoc | undefined, call: ToolCall) {
		const projectId = shapes.sessionMeta(doc).get('projectId');
		if (typeof projectId !== 'string') return undefined;
		return {
			projectId,
			sessionId: run.sessionId,
			toolUseId: call.id,
			tool: call.name,
			path: pathOfInput(call.input),
			sessionTitle: project
				? sessionRows(projectId, project.doc).rows.find((s) => s.id === run.sessionId)?.title
				: undefined
		};
	}

	async #openProject(accountId: string, projectId: unknown): Promise<HeldDoc | undefined> {
		if (typeof projectId !== 'string') return undefined;
		try {
			return await this.#options.docs.open(docKey(accountId, projectDoc(projectId)));
		} catch {
			return undefined;
		}
	}

	#abort(run: Run, reason: AbortReason): void {
		run.reason ??= reason;
		run.controller.abort();
	}

	async #requeue(key: DocKey, queued: RunRequest[]): Promise<void> {
		if (queued.length === 0) return;
		try {
			const held = await this.#options.docs.open(key);
			try {
				await held.change((doc) => {
					for (const request of queued) {
						const entry = answers.findMessage(doc, request.messageId);
						if (entry) answers.setAsk(entry, 'waiting');
					}
				});
			} finally {
				held.release();
			}
		} finally {
			for (const request of queued) this.#forget(request);
		}
	}

	#markEnded(run: RunId): void {
		this.#options.log.set(run, 'ended');
		this.#options.sharedClaims
			?.ended(run)
			.catch((error: unknown) => this.#options.onError?.('ending a shared claim failed', error));
	}

	#forget(run: RunId): void {
		this.#options.log.forget(run);
		this.#options.sharedClaims
			?.forget(run)
			.catch((error: unknown) =>
				this.#options.onError?.('forgetting a shared claim failed', error)
			);
	}

	async #open(key: DocKey): Promise<HeldDoc> {
		try {
			return await this.#options.docs.open(key);
		} catch {
			throw new HttpError(404, 'session_not_found', 'That session does not exist or was deleted');
		}
	}
}

/** The answer still streaming in reply to a message (the last, after tool rounds), if any. */
function streamingReplyTo(doc: Y.Doc, messageId: string): Y.Map<unknown> | undefined {
	return shapes
		.messages(doc)
		.toArray()
		.filter((entry) => entry.get('replyTo') === messageId && entry.get('status') === 'streaming')
		.at(-1);
}

/** Tool calls a crash left running (or waiting for approval) end with a note saying so. */
function endUnfinishedToolCalls(answer: Y.Map<unknown>): void {
	for (const block of answers.blocksOf(answer)) {
		if (block.get('type') !== 'tool_use' || block.get('status') !== 'running') continue;
		const pending = block.get('approval') === 'pending';
		block.set('result', pending ? endedResult : interruptedToolResult);
		block.set('isError', true);
		if (pending) block.set('approval', 'ended');
		block.set('status', 'error');
	}
}

/**
 * What the next request of a run sends: the conversation up to the person's message, then this
 * run's earlier rounds (answers that used tools, with their results). A summary request of a
 * compacted session sends the old session's whole conversation first (`earlier`).
 */
function runHistory(
	run: Run,
	doc: Y.Doc,
	rounds: ReadonlySet<string>,
	earlier: readonly MessageRow[]
) {
	const rows = messageRows(run.sessionId, doc);
	const at = rows.findIndex((r) => r.id === run.messageId);
	return buildHistory([...earlier, ...rows.filter((r, i) => i <= at || rounds.has(r.id))]);
}

function retryNotice(status: number, headers: Headers): string {
	const wait = Number(headers.get('retry-after'));
	const when = Number.isFinite(wait) && wait > 0 ? ` in ${Math.ceil(wait)} s` : '';
	if (status === 429) return `The API is rate limiting this key: trying again${when}.`;
	if (status === 529) return `Claude is overloaded: trying again${when}.`;
	return `The API had a problem (${status}): trying again${when}.`;
}
