import Dexie, { type EntityTable } from 'dexie';

/**
 * What this device remembers outside any account: who is signed in, and which keys it has used
 * before (by hash), so a known key opens its local data offline.
 */
export interface SignIn {
	id: 'current';
	apiKey: string;
	keyHash: string;
	since: number;
	/** The last sync token, so a reload does not ask the API to check the key again. */
	token?: { token: string; expiresAt: number };
}

export interface KnownKey {
	keyHash: string;
	lastUsed: number;
	/** This device had changes the server had not stored (kept up to date while signed in). */
	unsynced?: boolean;
}

class DeviceDb extends Dexie {
	signIn!: EntityTable<SignIn, 'id'>;
	known!: EntityTable<KnownKey, 'keyHash'>;

	constructor() {
		super('tether-device');
		this.version(1).stores({ signIn: 'id', known: 'keyHash' });
	}
}

let device: DeviceDb | undefined;
const db = () => (device ??= new DeviceDb());

export async function hashKey(apiKey: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(apiKey));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The name of the local database that holds this key's account on this device. */
export function accountDbName(keyHash: string): string {
	return `tether-account-${keyHash.slice(0, 32)}`;
}

/*
 * Which account is signed in is also kept in localStorage (its key hash only, never the key), so
 * a start can open the account's database at once instead of first opening this one.
 */
const pointerKey = 'tether.signed-in';

export function signedInPointer(): string | undefined {
	try {
		return localStorage.getItem(pointerKey) ?? undefined;
	} catch {
		return undefined;
	}
}

function setPointer(keyHash: string | undefined): void {
	try {
		if (keyHash) localStorage.setItem(pointerKey, keyHash);
		else localStorage.removeItem(pointerKey);
	} catch {
		// Storage refused (private mode, quota): starts take the slower path through IndexedDB.
	}
}

export async function current(): Promise<SignIn | undefined> {
	return db().signIn.get('current');
}

export async function isKnown(keyHash: string): Promise<boolean> {
	return (await db().known.get(keyHash)) !== undefined;
}

export async function remember(apiKey: string, keyHash: string, now = Date.now()): Promise<void> {
	await db().transaction('rw', db().signIn, db().known, async () => {
		await db().signIn.put({ id: 'current', apiKey, keyHash, since: now });
		await db().known.put({ keyHash, lastUsed: now });
	});
	setPointer(keyHash);
}

export async function rememberToken(token: { token: string; expiresAt: number }): Promise<void> {
	await db().signIn.update('current', { token });
}

export async function markUnsynced(keyHash: string, unsynced: boolean): Promise<void> {
	await db().known.update(keyHash, { unsynced });
}

export async function hadUnsynced(keyHash: string): Promise<boolean> {
	return (await db().known.get(keyHash))?.unsynced === true;
}

export async function forget(keyHash: string, wipe: boolean): Promise<void> {
	setPointer(undefined);
	await db().signIn.delete('current');
	if (wipe) {
		await db().known.delete(keyHash);
		await Dexie.delete(accountDbName(keyHash));
	}
}
