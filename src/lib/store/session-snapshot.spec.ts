// @vitest-environment jsdom
/** [PW18] The snapshot in localStorage: per signed-in account, and no deleted title stays in it. */
import { beforeEach, describe, expect, it } from 'vitest';
import {
	forgetSessionSnapshot,
	forgetSnapshotSession,
	rememberOpenSession,
	rememberSessions,
	sessionSnapshot
} from './session-snapshot';

const signInAs = (keyHash: string) => localStorage.setItem('tether.signed-in', keyHash);
const stored = () => localStorage.getItem('tether.session-snapshot');
const openStored = () => localStorage.getItem('tether.open-session');

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

	it('[PW20] keeps the end of the open session, cut between graphemes, for the signed-in account', () => {
		expect(openStored()).toBeNull();
		rememberOpenSession('p1', { id: 'o1', title: 'Plans' }, [{ role: 'user', text: 'nobody' }]);
		expect(openStored()).toBeNull();
		signInAs('account-a');
		const rows = Array.from({ length: 14 }, (_, i) => ({
			role: i % 2 ? ('assistant' as const) : ('user' as const),
			text: `message ${i} `
		}));
		rows.push({ role: 'assistant', text: 'a'.repeat(1999) + '👩‍👩‍👧 and more' });
		rememberOpenSession('p1', { id: 'o1', title: 'Plans' }, rows);
		const kept = JSON.parse(openStored()!) as {
			account: string;
			session: string;
			messages: { role: string; text: string }[];
		};
		expect(kept.account).toBe('account-a');
		expect(kept.session).toBe('o1');
		expect(kept.messages).toHaveLength(10);
		expect(kept.messages[0]!.text).toBe('message 5 ');
		// The family is one grapheme: it is kept whole or not at all, never in parts.
		expect(kept.messages.at(-1)!.text).toBe('a'.repeat(1999) + '…');
	});

	it('[PW20] the open session’s messages leave localStorage with the session, its project, and at sign-out', () => {
		signInAs('account-a');
		const keep = () =>
			rememberOpenSession('p1', { id: 'o1', title: 'Secret plans' }, [
				{ role: 'user', text: 'the secret words' }
			]);
		keep();
		forgetSnapshotSession('o2');
		forgetSessionSnapshot('p2');
		expect(openStored()).toContain('the secret words');
		forgetSnapshotSession('o1');
		expect(openStored()).toBeNull();
		// A view still closing cannot write a deleted session back.
		keep();
		expect(openStored()).toBeNull();
		rememberOpenSession('p1', { id: 'o3', title: 'Other' }, [{ role: 'user', text: 'words' }]);
		forgetSessionSnapshot('p1');
		expect(openStored()).toBeNull();
		rememberOpenSession('p1', { id: 'o3', title: 'Other' }, [{ role: 'user', text: 'words' }]);
		forgetSessionSnapshot();
		expect(openStored()).toBeNull();
	});
});
