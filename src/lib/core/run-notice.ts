import type { AnswerStatus } from './rows.js';
import { cutText } from './text.js';

/*
 * What a system notification says when a run ends while nobody is looking: the same words whether
 * the open page shows it or the server sends it as a Web Push, and the same tag, so a device that
 * gets both shows one.
 */

export interface RunNotice {
	title: string;
	body: string;
	/** Replaces an earlier notification of the same answer instead of adding one. */
	tag: string;
	/** The session to open when the notification is clicked. */
	url: string;
}

export interface EndedRun {
	projectId: string;
	sessionId: string;
	answerId: string;
	status: AnswerStatus;
	/** The session's title, when known. */
	sessionTitle?: string;
	/** The answer's text so far. */
	text: string;
	/** The error in words, for a failed run. */
	error?: string;
}

/** Longest body, in UTF-16 code units: a notification shows two or three lines. */
const bodyLength = 160;

/** The notice for an ended run, or none when the person ended it themselves (Stop). */
export function runNotice(run: EndedRun): RunNotice | undefined {
	if (run.status === 'streaming' || run.status === 'stopped') return undefined;
	const where = run.sessionTitle?.trim() || 'Your session';
	const title =
		run.status === 'done'
			? `Claude answered in ${where}`
			: run.status === 'failed'
				? `The answer in ${where} failed`
				: `The answer in ${where} was interrupted`;
	const said = run.status === 'done' ? run.text : (run.error ?? run.text);
	const body = cutText(said.replace(/\s+/g, ' ').trim(), bodyLength);
	return {
		title: cutText(title, 120),
		body: body.length < said.trim().length ? `${body}…` : body,
		tag: `answer-${run.answerId}`,
		url: `/p/${encodeURIComponent(run.projectId)}/s/${encodeURIComponent(run.sessionId)}`
	};
}
