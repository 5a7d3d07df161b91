import type { RunNotice } from './run-notice.js';
import { cutText } from './text.js';

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
	const change = asked.path ? `${asked.tool} ${asked.path}` : asked.tool;
	return {
		title: cutText(`Claude asks to change a file in ${where}`, 120),
		body: cutText(change, 160),
		tag: `approval-${asked.toolUseId}`,
		url: `/p/${encodeURIComponent(asked.projectId)}/s/${encodeURIComponent(asked.sessionId)}`
	};
}

/** The file a tool call's input names, if any. */
export function pathOfInput(input: unknown): string | undefined {
	const path = (input as { path?: unknown } | null)?.path;
	return typeof path === 'string' ? path : undefined;
}
