// @vitest-environment jsdom
/** [PW16] The remembered start project: per signed-in account, and forgotten when deleted. */
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetLastProject, lastProject, rememberLastProject } from './last-project';

const signInAs = (keyHash: string) => localStorage.setItem('tether.signed-in', keyHash);

describe('[PW16] last project', () => {
	beforeEach(() => localStorage.clear());

	it('is remembered for the signed-in account only', () => {
		signInAs('account-a');
		rememberLastProject('p1');
		expect(lastProject()).toBe('p1');
		signInAs('account-b');
		expect(lastProject()).toBeUndefined();
		localStorage.removeItem('tether.signed-in');
		expect(lastProject()).toBeUndefined();
		rememberLastProject('p2');
		signInAs('account-a');
		expect(lastProject()).toBe('p1');
	});

	it('is forgotten when that project goes, kept when another one does', () => {
		signInAs('account-a');
		rememberLastProject('p1');
		forgetLastProject('p2');
		expect(lastProject()).toBe('p1');
		forgetLastProject('p1');
		expect(lastProject()).toBeUndefined();
		rememberLastProject('p3');
		forgetLastProject();
		expect(lastProject()).toBeUndefined();
	});

	it('ignores what it cannot read', () => {
		signInAs('account-a');
		localStorage.setItem('tether.last-project', '{not json');
		expect(lastProject()).toBeUndefined();
		localStorage.setItem('tether.last-project', JSON.stringify({ account: 'account-a' }));
		expect(lastProject()).toBeUndefined();
	});
});
