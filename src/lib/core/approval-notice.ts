import type { RunNotice } from './run-notice.js';
import { cutText } from './text.js';
import type { ApprovalOutcome } from './tools/approval.js';

/*
 * What a system notification says when a run waits for a person to approve a file change. The
 * server sends it as a Web Push with a capability to answer it (see sync-server/push/), and the
 * service worker shows it with the actions "Approve" and "Deny".
 */

export interface AskedApproval {
	projectId: string;
	sessionId: string;
	/** The API's tool_use id: the call waiting for the decision. */
	toolUseId: string;
	tool: string;
	/** The file the call changes, when its input names one. */
	path?: string;
	sessionTitle?: string;
	/** When the approval ends unanswered (ms since the epoch). */
	expiresAt: number;
}

/** The decisions a notification's actions can take (the app also offers "for this session"). */
export const approvalActions = ['approve', 'deny'] as const;
export type ApprovalAction = (typeof approvalActions)[number];

export function approvalNotice(asked: AskedApproval): RunNotice {
	const where = asked.sessionTitle?.trim() || 'your session';
	return {
		title: cutText(`Claude asks to change a file in ${where}`, 120),
		body: cutText(changeOf(asked), 160),
		tag: approvalTag(asked.toolUseId),
		url: sessionUrl(asked)
	};
}

/** A call that waited for approval and no longer does, however that ended. */
export type SettledApproval = Omit<AskedApproval, 'expiresAt'> & { outcome: ApprovalOutcome };

/** What replaces an approval's notice once the call no longer waits. */
export type SettledApprovalNotice = RunNotice & { settled: true };

const settledTitles: Record<ApprovalOutcome, string> = {
	approved: 'File change approved',
	denied: 'File change declined',
	expired: 'File change not approved in time',
	ended: 'The run ended before the file change was approved'
};

/**
 * The notice that takes the place of an approval's (the same tag) on every device once it was
 * answered anywhere or ended, so no device keeps offering "Approve" for a call nobody waits on.
 */
export function settledApprovalNotice(settled: SettledApproval): SettledApprovalNotice {
	return {
		title: settledTitles[settled.outcome],
		body: cutText(changeOf(settled), 160),
		tag: approvalTag(settled.toolUseId),
		url: sessionUrl(settled),
		settled: true
	};
}

const approvalTag = (toolUseId: string) => `approval-${toolUseId}`;

const changeOf = (call: { tool: string; path?: string }) =>
	call.path ? `${call.tool} ${call.path}` : call.tool;

const sessionUrl = (call: { projectId: string; sessionId: string }) =>
	`/p/${encodeURIComponent(call.projectId)}/s/${encodeURIComponent(call.sessionId)}`;

/** The file a tool call's input names, if any. */
export function pathOfInput(input: unknown): string | undefined {
	const path = (input as { path?: unknown } | null)?.path;
	return typeof path === 'string' ? path : undefined;
}
