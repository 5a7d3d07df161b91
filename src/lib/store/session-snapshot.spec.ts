// @vitest-environment jsdom
/** [PW18] The snapshot in localStorage: per signed-in account, and no deleted title stays in it. */
import { beforeEach, describe, expect, it } from 'vitest';
import {
	forgetSessionSnapshot,
	forgetSnapshotSession,
	rememberSessions,
	sessionSnapshot
} from './session-snapshot';

const signInAs = (keyHash: string) => localStorage.setItem('tether.signed-in', keyHash);
const stored = () => localStorage.getItem('tether.session-snapshot');

describe('[PW18] session snapshot in localStorage', () => {
	beforeEach(() => localStorage.clear());

	it('[PW18] is the last shown project of the signed-in account only', () => {
		signInAs('account-a');
		rememberSessions('p1', [{ id: 's1', title: 'Plans' }]);
		expect(sessionSnapshot('p1')).toEqual([{ id: 's1', title: 'Plans' }]);
		expect(sessionSnapshot('p2')).toBeUndefined();
		signInAs('account-b');
		expect(sessionSnapshot('p1')).toBeUndefined();
		signInAs('account-a');
		rememberSessions('p2', [{ id: 's2', title: 'Other' }]);
		expect(sessionSnapshot('p1')).toBeUndefined();
		expect(sessionSnapshot('p2')).toEqual([{ id: 's2', title: 'Other' }]);
	});

	it('[PW18] a deleted session’s title is gone from localStorage', () => {
		signInAs('account-a');
		rememberSessions('p1', [
			{ id: 's1', title: 'Secret plans' },
			{ id: 's2', title: 'Groceries' }
		]);
		forgetSnapshotSession('s1');
		expect(stored()).not.toContain('Secret plans');
		expect(sessionSnapshot('p1')).toEqual([{ id: 's2', title: 'Groceries' }]);
	});

	it('[PW18] is dropped with its project and at sign-out, kept when another project goes', () => {
		signInAs('account-a');
		rememberSessions('p1', [{ id: 's1', title: 'Plans' }]);
		forgetSessionSnapshot('p2');
		expect(sessionSnapshot('p1')).toHaveLength(1);
		forgetSessionSnapshot('p1');
		expect(stored()).toBeNull();
		rememberSessions('p1', [{ id: 's1', title: 'Plans' }]);
		forgetSessionSnapshot();
		expect(stored()).toBeNull();
	});
});
