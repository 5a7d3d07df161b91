import type { ApprovalAction } from '../../src/lib/core/approval-notice.js';
import { sessionDoc } from '../../src/lib/core/doc-names.js';
import {
	awaitsDecision,
	decide,
	findToolBlockInSession
} from '../../src/lib/core/tools/approval.js';
import { HttpError } from '../http/api.js';
import type { DocAccess } from '../runs/docs.js';
import { docKey } from '../storage/types.js';
import type { ApprovalClaims } from './approval-token.js';

/**
 * Writes a notification's decision into the session document, as the app's buttons do: the run
 * waiting on it sees it there, like any device's. Refused once the call no longer waits (already
 * answered, from here or a device, or ended), so a capability works once.
 */
export async function answerApproval(
	docs: DocAccess,
	claims: ApprovalClaims,
	decision: ApprovalAction
): Promise<void> {
	const gone = () =>
		new HttpError(409, 'approval_answered', 'This change was already answered or has ended');
	let held;
	try {
		held = await docs.open(docKey(claims.accountId, sessionDoc(claims.sessionId)));
	} catch {
		throw gone();
	}
	try {
		const block = findToolBlockInSession(held.doc, claims.toolUseId);
		if (!block || !awaitsDecision(block)) throw gone();
		await held.change(() => decide(block, decision));
	} finally {
		held.release();
	}
}
