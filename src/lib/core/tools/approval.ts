import * as Y from 'yjs';
import { messages, sessionMeta } from '../shapes.js';

/*
 * Approval of file changes, kept in the documents so every device sees it and any may answer.
 *
 * project doc:  settings: Y.Map{askBeforeChangingFiles?: boolean}   (absent: on)
 * session doc:  meta.approveFileChanges: true   once a person chose "Approve for this session"
 * tool_use block (in the answer):
 *   approval: 'pending' | ApprovalOutcome     written only by the server, so it never conflicts
 *   approvalExpiresAt: number                 when a pending approval ends unanswered
 *   decision: Decision                        written by a device; the first the server sees wins
 */

export type Decision = 'approve' | 'approve_session' | 'deny';
export type ApprovalOutcome = 'approved' | 'denied' | 'expired' | 'ended';
export type ApprovalState = 'pending' | ApprovalOutcome;

const decisions = new Set<string>(['approve', 'approve_session', 'deny']);
const states = new Set<string>(['pending', 'approved', 'denied', 'expired', 'ended']);

export function projectSettings(projectDoc: Y.Doc): Y.Map<unknown> {
	return projectDoc.getMap('settings');
}

/** "Ask before changing files": on unless a person turned it off. */
export function askBeforeChangingFiles(projectDoc: Y.Doc): boolean {
	return projectSettings(projectDoc).get('askBeforeChangingFiles') !== false;
}

export function setAskBeforeChangingFiles(projectDoc: Y.Doc, ask: boolean): void {
	projectSettings(projectDoc).set('askBeforeChangingFiles', ask);
}

/** True once "Approve for this session" was chosen in this session. */
export function sessionApprovesFileChanges(sessionDoc: Y.Doc): boolean {
	return sessionMeta(sessionDoc).get('approveFileChanges') === true;
}

export function approveFileChangesForSession(sessionDoc: Y.Doc): void {
	sessionMeta(sessionDoc).set('approveFileChanges', true);
}

/** The block of a tool call in an answer, by the API's tool_use id. */
export function findToolBlock(
	answer: Y.Map<unknown>,
	toolUseId: string
): Y.Map<unknown> | undefined {
	const blocks = answer.get('blocks');
	if (!(blocks instanceof Y.Array)) return undefined;
	for (const block of blocks) {
		if (
			block instanceof Y.Map &&
			block.get('type') === 'tool_use' &&
			block.get('id') === toolUseId
		) {
			return block as Y.Map<unknown>;
		}
	}
	return undefined;
}

/** The block of a tool call anywhere in a session, newest answers first. */
export function findToolBlockInSession(
	sessionDoc: Y.Doc,
	toolUseId: string
): Y.Map<unknown> | undefined {
	const list = messages(sessionDoc);
	for (let i = list.length - 1; i >= 0; i--) {
		const entry = list.get(i);
		if (entry.get('role') !== 'assistant') continue;
		const block = findToolBlock(entry, toolUseId);
		if (block) return block;
	}
	return undefined;
}

/** True while a call waits for a decision nobody has given yet. */
export function awaitsDecision(block: Y.Map<unknown>): boolean {
	return block.get('approval') === 'pending' && !block.has('decision');
}

/** A device's answer to a pending approval. */
export function decide(block: Y.Map<unknown>, decision: Decision): void {
	if (awaitsDecision(block)) block.set('decision', decision);
}

export function decisionOf(block: Y.Map<unknown>): Decision | undefined {
	const value = block.get('decision');
	return typeof value === 'string' && decisions.has(value) ? (value as Decision) : undefined;
}

export function approvalOf(value: unknown): ApprovalState | undefined {
	return typeof value === 'string' && states.has(value) ? (value as ApprovalState) : undefined;
}

/** What Claude is told when a change was not approved. */
export const declinedResult = 'The person declined this change: it was not made.';
export const expiredResult = (seconds: number) =>
	`Nobody answered the approval within ${formatWait(seconds)}: the change was not made and the run ended.`;
export const endedResult =
	'The run ended while this change waited for approval (stopped, or the server restarted): it was not made.';

function formatWait(seconds: number): string {
	if (seconds % 60 === 0 && seconds >= 60) {
		const minutes = seconds / 60;
		return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
	}
	return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}
