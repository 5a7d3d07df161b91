import type { Outbox } from '../store/outbox.js';

const maxNamesPerRequest = 500;

/**
 * Tells the server about documents deleted on this device (the outbox's unconfirmed deletions),
 * so it purges them too and refuses them to every other device. Idempotent on both sides.
 */
export async function sendDeletions(outbox: Outbox, token: () => Promise<string>): Promise<void> {
	const names = await outbox.pendingDeletions();
	for (let i = 0; i < names.length; i += maxNamesPerRequest) {
		const batch = names.slice(i, i + maxNamesPerRequest);
		const response = await fetch('/api/docs/delete', {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
			body: JSON.stringify({ names: batch })
		});
		if (!response.ok) throw new Error(`the server refused the deletion (${response.status})`);
		await outbox.confirmDeletions(batch);
	}
}
