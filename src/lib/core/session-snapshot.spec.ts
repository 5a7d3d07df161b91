/** [PW18] The session list a start paints before IndexedDB answers: small, per account. */
import { describe, expect, it } from 'vitest';
import {
	isOfProject,
	readSnapshot,
	snapshotOf,
	snapshotSessions,
	snapshotTitleLength,
	withoutSession
} from './session-snapshot.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, title: `T${i}` }));

describe('[PW18] session snapshot', () => {
	it('[PW18] keeps ids and titles in the list order, at most what a sidebar shows', () => {
		const snapshot = snapshotOf('acct', 'p1', [
			{ id: 'b', title: 'Second', projectId: 'p1' } as never,
			{ id: 'a', title: 'First' }
		]);
		expect(snapshot).toEqual({
			account: 'acct',
			project: 'p1',
			sessions: [
				{ id: 'b', title: 'Second' },
				{ id: 'a', title: 'First' }
			]
		});
		expect(snapshotOf('acct', 'p1', rows(500)).sessions).toHaveLength(snapshotSessions);
	});

	it('[PW18] cuts a long title between graphemes, never inside a surrogate pair', () => {
		const title = 'a'.repeat(snapshotTitleLength - 1) + '😀'.repeat(10);
		const [cut] = snapshotOf('acct', 'p1', [{ id: 'x', title }]).sessions;
		expect(cut?.title.length).toBeLessThanOrEqual(snapshotTitleLength);
		expect(cut?.title.endsWith('\ud83d')).toBe(false);
	});

	it('[PW18] is read only for its account and project, and never when unreadable', () => {
		const raw = JSON.stringify(snapshotOf('acct', 'p1', rows(2)));
		expect(readSnapshot(raw, 'acct', 'p1')?.sessions).toEqual(rows(2));
		expect(readSnapshot(raw, 'other', 'p1')).toBeUndefined();
		expect(readSnapshot(raw, 'acct', 'p2')).toBeUndefined();
		expect(readSnapshot(null, 'acct', 'p1')).toBeUndefined();
		expect(readSnapshot('{not json', 'acct', 'p1')).toBeUndefined();
		expect(
			readSnapshot(
				JSON.stringify({ account: 'acct', project: 'p1', sessions: [{ id: 1 }] }),
				'acct',
				'p1'
			)
		).toBeUndefined();
	});

	it('[PW18] a deleted session leaves it; a deleted project takes it all', () => {
		const raw = JSON.stringify(snapshotOf('acct', 'p1', rows(3)));
		expect(withoutSession(raw, 's1')?.sessions).toEqual([
			{ id: 's0', title: 'T0' },
			{ id: 's2', title: 'T2' }
		]);
		expect(withoutSession(raw, 'elsewhere')).toBeUndefined();
		expect(isOfProject(raw, 'p1')).toBe(true);
		expect(isOfProject(raw, 'p2')).toBe(false);
	});
});
