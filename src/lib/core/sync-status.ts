/** What the sync status element says, derived from the state of this device's sync. */
export type SyncStatusText =
	'Saving…' | 'Not saved on this device' | 'Offline' | 'Saved on this device' | 'Synced';

export interface SyncState {
	/** The browser believes it is online. */
	online: boolean;
	/** Status of each live document's connection. */
	live: ('connecting' | 'syncing' | 'synced' | 'unsynced-local' | 'offline' | 'stopped')[];
	/** Documents with local changes the server has not confirmed (the outbox). */
	pendingDocs: number;
	/** Deletions the server has not confirmed (the outbox). */
	pendingDeletions: number;
	/** Whether this device's own edits are committed to IndexedDB (see the store's save state). */
	local: 'saved' | 'saving' | 'failing';
}

/**
 * "Saved on this device" and "Offline" (whose explanation says changes are kept here) promise
 * that IndexedDB holds the edits, so neither shows before the write committed ([LS12], R12).
 * When writing fails (storage full, R14) the edits live in memory and on the server once it has
 * them: "Synced" is still true then, anything short of it is not saved anywhere lasting.
 */
export function syncStatusText(state: SyncState): SyncStatusText {
	if (state.local === 'saving') return 'Saving…';
	const connected = state.live.some(
		(s) => s === 'synced' || s === 'unsynced-local' || s === 'syncing'
	);
	const settled = state.live.every((s) => s === 'synced');
	const synced =
		state.online && connected && settled && state.pendingDocs === 0 && state.pendingDeletions === 0;
	if (synced) return 'Synced';
	if (state.local === 'failing') return 'Not saved on this device';
	if (!state.online || !connected) return 'Offline';
	return 'Saved on this device';
}
