import { describe, expect, it } from 'vitest';
import { syncStatusText, type SyncState } from './sync-status.js';

const state = (over: Partial<SyncState>): SyncState => ({
	online: true,
	live: ['synced'],
	pendingDocs: 0,
	pendingDeletions: 0,
	...over
});

describe('[CL12] the sync status reads the outbox and the live connections', () => {
	it('[CL12] says Synced only when connected, settled and the outbox is empty', () => {
		expect(syncStatusText(state({}))).toBe('Synced');
	});

	it('[CL12] says Saved on this device while the outbox holds a change or a deletion', () => {
		expect(syncStatusText(state({ pendingDocs: 1 }))).toBe('Saved on this device');
		expect(syncStatusText(state({ pendingDeletions: 1 }))).toBe('Saved on this device');
		expect(syncStatusText(state({ live: ['synced', 'unsynced-local'] }))).toBe(
			'Saved on this device'
		);
	});

	it('[CL12] says Offline when the browser is offline or no live document is connected', () => {
		expect(syncStatusText(state({ online: false }))).toBe('Offline');
		expect(syncStatusText(state({ live: ['offline', 'connecting'] }))).toBe('Offline');
		expect(syncStatusText(state({ live: [] }))).toBe('Offline');
	});
});
