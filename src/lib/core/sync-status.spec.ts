import { describe, expect, it } from 'vitest';
import { syncStatusText, type SyncState } from './sync-status.js';

const state = (over: Partial<SyncState>): SyncState => ({
	online: true,
	live: ['synced'],
	pendingDocs: 0,
	pendingDeletions: 0,
	local: 'saved',
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

describe('[LS12] the sync status never claims a save IndexedDB has not committed', () => {
	it('[LS12] says Saving… while a local edit is still being written, whatever else holds', () => {
		expect(syncStatusText(state({ local: 'saving', pendingDocs: 1 }))).toBe('Saving…');
		expect(syncStatusText(state({ local: 'saving' }))).toBe('Saving…');
		expect(syncStatusText(state({ local: 'saving', online: false }))).toBe('Saving…');
	});

	it('[LS12] says Not saved on this device while writing fails and the server lacks the edit', () => {
		expect(syncStatusText(state({ local: 'failing', pendingDocs: 1 }))).toBe(
			'Not saved on this device'
		);
		expect(syncStatusText(state({ local: 'failing', online: false }))).toBe(
			'Not saved on this device'
		);
		// The server has everything: that is true and lasting, whatever the device's storage does.
		expect(syncStatusText(state({ local: 'failing' }))).toBe('Synced');
	});
});
