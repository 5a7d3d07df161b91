import { accountDoc } from '../core/doc-names.js';
import { checkApiKeyFormat } from '../core/api-key.js';
import type { LostWork } from '../core/lost-work.js';
import { StorageTrouble } from '../core/storage-trouble.js';
import { TetherDb } from '../store/db.js';
import * as device from '../store/device.js';
import { DocStore } from '../store/doc-store.js';
import { AccountSync } from '../sync/account-sync.svelte.js';
import { login } from '../sync/login.js';
import { SignInRequiredError, TokenSource, type Credentials } from '../sync/tokens.js';
import { forgetLastProject } from '../store/last-project.js';
import { forgetSessionSnapshot } from '../store/session-snapshot.js';

export type Phase = 'loading' | 'signed-out' | 'ready';

/**
 * The signed-in account on this device: its local database and open documents. One instance,
 * shared by every view.
 */
class AppState {
	phase = $state<Phase>('loading');
	/** A problem the person should know about, in words (storage failing, for example). */
	notice = $state<string | undefined>();
	/** Unsent work of this device that deletions made on other devices discarded, until dismissed. */
	lostWork = $state<LostWork[]>([]);
	store = $state.raw<DocStore | undefined>();
	sync = $state.raw<AccountSync | undefined>();
	#keyHash: string | undefined;
	#stopWatching: (() => void) | undefined;

	async init(): Promise<void> {
		// Fast path: open the signed-in account's database at once; the key and token are read
		// from the device database when sync first needs them.
		const pointer = device.signedInPointer();
		if (pointer) {
			this.#open(pointer, () => this.#storedCredentials(pointer));
			return;
		}
		const signIn = await device.current();
		if (signIn) this.#open(signIn.keyHash, () => this.#storedCredentials(signIn.keyHash));
		else this.phase = 'signed-out';
	}

	async #storedCredentials(keyHash: string): Promise<Credentials> {
		const signIn = await device.current();
		if (!signIn || signIn.keyHash !== keyHash) {
			// The device database no longer knows this sign-in (cleared): sign in again.
			void this.signOut(false);
			throw new SignInRequiredError('Sign in again.');
		}
		return { apiKey: signIn.apiKey, token: signIn.token };
	}

	/** Returns an error message for the sign-in form, or undefined when signed in. */
	async signIn(raw: string): Promise<string | undefined> {
		const checked = checkApiKeyFormat(raw);
		if (!checked.ok) return checked.error;
		const keyHash = await device.hashKey(checked.key);
		const result = await login(checked.key);
		if (result.kind === 'refused') return result.message;
		if (result.kind === 'unreachable' && !(await device.isKnown(keyHash))) {
			return `${result.message} A key must be checked online the first time it is used on a device.`;
		}
		await device.remember(checked.key, keyHash);
		const token =
			result.kind === 'ok' ? { token: result.token, expiresAt: result.expiresAt } : undefined;
		if (token) await device.rememberToken(token);
		this.#open(keyHash, async () => ({ apiKey: checked.key, token }));
		return undefined;
	}

	async signOut(wipe: boolean): Promise<void> {
		const keyHash = this.#keyHash;
		this.#close();
		if (keyHash) await device.forget(keyHash, wipe);
		forgetLastProject();
		forgetSessionSnapshot();
		this.phase = 'signed-out';
	}

	#open(keyHash: string, credentials: () => Promise<Credentials>): void {
		const db = new TetherDb(device.accountDbName(keyHash));
		// A newer version of the app in another tab wants to upgrade the database: let it, and
		// ask for a reload here instead of blocking it (Dexie closes this connection).
		db.on('versionchange', () => {
			this.notice = 'Tether was updated in another tab. Reload this tab to keep working.';
		});
		// Ask the browser not to evict this device's copy under storage pressure.
		void navigator.storage?.persist?.().catch(() => false);
		const trouble = new StorageTrouble();
		const store = new DocStore(db, {
			tabs: true,
			// A failed write keeps the edit in memory and retries; sync is not affected (R14).
			onError: (error) => {
				console.error('saving on this device failed', error);
				const message = trouble.report(error);
				if (message) this.notice = message;
			}
		});
		store.onLostWork((lost) => {
			if (this.store === store) this.lostWork = [...this.lostWork, ...lost];
		});
		const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
		const sync = new AccountSync(
			store,
			new TokenSource(credentials, (fresh) => void device.rememberToken(fresh)),
			`${scheme}://${location.host}/sync`
		);
		this.#watchForWipe(keyHash, db, sync);
		// The project list is always open and live. Views draw from rows, so they need not wait.
		store.open(accountDoc).then(
			(account) => {
				if (this.sync === sync) sync.hold(accountDoc, account);
			},
			(error: unknown) => console.error('cannot open the project list', error)
		);
		this.#keyHash = keyHash;
		this.store = store;
		this.sync = sync;
		this.phase = 'ready';
	}

	/**
	 * The browser may clear this site's storage (eviction, a person clearing data). Sync brings
	 * back what the server has; what only this device had is gone, and the person should know.
	 */
	#watchForWipe(keyHash: string, db: TetherDb, sync: AccountSync): void {
		void Promise.all([device.hadUnsynced(keyHash), db.updates.count()]).then(([had, stored]) => {
			if (had && stored === 0) {
				this.notice =
					'This browser cleared Tether’s storage. Everything the server had is coming back, but changes made on this device that had not reached the server were lost.';
			}
		});
		this.#stopWatching?.();
		this.#stopWatching = $effect.root(() => {
			$effect(() => {
				void device.markUnsynced(keyHash, sync.pendingChanges);
			});
		});
	}

	dismissLostWork(item: LostWork): void {
		this.lostWork = this.lostWork.filter((one) => one !== item);
	}

	#close(): void {
		this.lostWork = [];
		this.#stopWatching?.();
		this.#stopWatching = undefined;
		this.sync?.destroy();
		this.sync = undefined;
		this.store?.destroy();
		this.store?.db.close();
		this.store = undefined;
		this.#keyHash = undefined;
	}
}

export const app = new AppState();

/** The signed-in store; views under the signed-in layout can rely on it. */
export function store(): DocStore {
	if (!app.store) throw new Error('not signed in');
	return app.store;
}

export function sync(): AccountSync {
	if (!app.sync) throw new Error('not signed in');
	return app.sync;
}
