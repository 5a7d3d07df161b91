import { goto } from '$app/navigation';
import { resolve } from '$app/paths';

/** Opens a session just made (a fork, a compacted session) with its composer focused. */
export function openToWrite(projectId: string, sessionId: string): Promise<void> {
	return goto(resolve('/p/[projectId]/s/[sessionId]', { projectId, sessionId }), {
		state: { compose: true }
	});
}
