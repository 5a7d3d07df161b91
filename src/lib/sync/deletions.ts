import type { TetherDb } from '../store/db.js';

/**
 * Tells the server about documents deleted on this device (its tombstones not yet confirmed),
 * so it purges them too and refuses them to every other device. Idempotent on both sides.
 */
export async function sendDeletions(db: TetherDb, token: () => Promise<string>): Promise<void> {
	const pending = await db.tombstones.where('confirmed').equals(0).toArray();
	if (pending.length === 0) return;
	const names = pending.map((t) => t.docName);
	for (let i = 0; i < names.length; i += 500) {
		const batch = names.slice(i, i + 500);
		const response = await fetch('/api/docs/delete', {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
			body: JSON.stringify({ names: batch })
		});
		if (!response.ok) throw new Error(`the server refused the deletion (${response.status})`);
		await db.tombstones.where('docName').anyOf(batch).modify({ confirmed: 1 });
	}
}

export function pendingDeletions(db: TetherDb): Promise<number> {
	return db.tombstones.where('confirmed').equals(0).count();
}
