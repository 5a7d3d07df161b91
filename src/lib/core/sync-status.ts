/** What the sync status element says, derived from the state of this device's sync. */
export type SyncStatusText = 'Offline' | 'Saved on this device' | 'Synced';

export interface SyncState {
	/** The browser believes it is online. */
	online: boolean;
	/** Status of each live document's connection. */
	live: ('connecting' | 'syncing' | 'synced' | 'unsynced-local' | 'offline' | 'stopped')[];
	/** Documents with local changes the server has not confirmed (the outbox). */
	pendingDocs: number;
	/** Deletions the server has not confirmed (the outbox). */
	pendingDeletions: number;
}

export function syncStatusText(state: SyncState): SyncStatusText {
	const connected = state.live.some(
		(s) => s === 'synced' || s === 'unsynced-local' || s === 'syncing'
	);
	if (!state.online || !connected) return 'Offline';
	const settled = state.live.every((s) => s === 'synced');
	if (!settled || state.pendingDocs > 0 || state.pendingDeletions > 0)
		return 'Saved on this device';
	return 'Synced';
}
