import * as Y from 'yjs';
import { describe, expect, it, vi } from 'vitest';
import * as shapes from '../../src/lib/core/shapes.js';
import { createMemoryStorage } from '../storage/memory.js';
import { docKey, type DocStorage } from '../storage/types.js';
import {
	DocDeletedError,
	DocRegistry,
	QuotaExceededError,
	UpdateRejectedError
} from './registry.js';
import type { Relay } from '../cluster/relay.js';
import type { Peer } from './shared-doc.js';

const key = docKey('acct', 'session.s1');

function peer(): Peer & { frames: Uint8Array[]; closedWith: string[] } {
	const frames: Uint8Array[] = [];
	const closedWith: string[] = [];
	return { frames, closedWith, send: (f) => frames.push(f), close: (r) => closedWith.push(r) };
}

function edit(text: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return Y.encodeStateAsUpdate(doc);
}

async function waitUntil(check: () => boolean): Promise<void> {
	await vi.waitFor(() => expect(check()).toBe(true), { timeout: 2000, interval: 5 });
}

describe('[SY] the document registry', () => {
	it('[SY1] loads a document from storage before the first peer sees it', async () => {
		const storage = createMemoryStorage();
		await storage.append(key, edit('from disk'));
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const shared = await registry.join(key, peer());
		expect(shared.doc.getText('t').toString()).toBe('from disk');
		await registry.close();
	});

	it('[IN14] watches a document on the relay before reading it, and unwatches it once unloaded', async () => {
		const storage = createMemoryStorage();
		const calls: string[] = [];
		const load = storage.load.bind(storage);
		storage.load = (k) => {
			calls.push(`load ${k}`);
			return load(k);
		};
		const relay: Relay = {
			publish: () => {},
			watch: async (k) => void calls.push(`watch ${k}`),
			unwatch: (k) => void calls.push(`unwatch ${k}`),
			onMessage: () => {},
			onRecovered: () => {},
			status: () => 'ok',
			close: async () => {}
		};
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100, relay });
		const p = peer();
		const shared = await registry.join(key, p);
		expect(calls).toEqual([`watch ${key}`, `load ${key}`]);
		registry.leave(shared, p);
		await waitUntil(() => registry.loadedCount === 0);
		expect(calls).toEqual([`watch ${key}`, `load ${key}`, `unwatch ${key}`]);
		await registry.close();
	});

	it('[SY2] relays an update as soon as it applied, to the others only, and resolves once it is durable', async () => {
		const storage = createMemoryStorage();
		const a = peer();
		const b = peer();
		let commit = () => {};
		const append = storage.append.bind(storage);
		storage.append = async (k, u, o) => {
			await new Promise<void>((resolve) => (commit = resolve));
			return append(k, u, o);
		};
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const shared = await registry.join(key, a);
		await registry.join(key, b);
		let durable = false;
		const stored = registry.store(shared, a, edit('hi')).then(() => (durable = true));
		await waitUntil(() => b.frames.length === 1);
		expect(a.frames).toHaveLength(0);
		expect(durable).toBe(false);
		expect(await storage.load(key)).toHaveLength(0);
		commit();
		await stored;
		expect(await storage.load(key)).toHaveLength(1);
		await registry.close();
	});

	it('[SY9] an update that decodes but cannot be applied is refused: nothing stored, relayed or kept (R8)', async () => {
		// Pinned from a fuzz run: decodes, applies to an empty doc (pending), throws against `base`.
		const base = Buffer.from('0101010004010174046261736500', 'hex');
		const poison = Buffer.from('01010104c4016e010202585900', 'hex');
		const storage = createMemoryStorage();
		await storage.append(key, base);
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const a = peer();
		const b = peer();
		const shared = await registry.join(key, a);
		await registry.join(key, b);
		await expect(registry.store(shared, a, poison)).rejects.toBeInstanceOf(UpdateRejectedError);
		expect(await storage.load(key)).toHaveLength(1);
		expect(b.frames).toHaveLength(0);
		expect(shared.doc.getText('t').toString()).toBe('base');
		await registry.store(shared, a, edit('after'));
		expect(b.frames).toHaveLength(1);
		await registry.close();
	});

	it('[SY3] a failing append acknowledges nothing, rebuilds memory from storage and closes every connection with 4503 (R9)', async () => {
		const storage = createMemoryStorage();
		vi.spyOn(storage, 'append').mockRejectedValueOnce(new Error('disk full'));
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const a = peer();
		const b = peer();
		const shared = await registry.join(key, a);
		await registry.join(key, b);
		await expect(registry.store(shared, a, edit('lost?'))).rejects.toThrow('disk full');
		// It was relayed before the disk said no, so every client is sent to resync.
		expect(b.frames).toHaveLength(1);
		await waitUntil(() => b.closedWith.includes('storageFailed'));
		expect(a.closedWith).toEqual(['storageFailed']);
		expect(shared.doc.getText('t').toString()).toBe('');
		expect(registry.loadedCount).toBe(1);
		await registry.store(shared, peer(), edit('retried'));
		expect(shared.doc.getText('t').toString()).toBe('retried');
		await registry.close();
	});

	it('[SY3] a rebuild keeps the updates whose appends are still in flight', async () => {
		const storage = createMemoryStorage();
		const append = storage.append.bind(storage);
		let calls = 0;
		let release = () => {};
		storage.append = async (k, u, o) => {
			calls++;
			if (calls === 1) throw new Error('disk full');
			await new Promise<void>((resolve) => (release = resolve));
			return append(k, u, o);
		};
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const a = peer();
		const shared = await registry.join(key, a);
		const failed = registry.store(shared, a, edit('failed'));
		const pending = registry.store(shared, peer(), edit('pending'));
		await expect(failed).rejects.toThrow('disk full');
		await waitUntil(() => a.closedWith.length > 0);
		expect(shared.doc.getText('t').toString()).toBe('pending');
		release();
		await pending;
		expect(await storage.load(key)).toHaveLength(1);
		await registry.close();
	});

	it('[SY4] unloads a document a while after its last peer leaves, and reloads it intact (R11)', async () => {
		const storage = createMemoryStorage();
		const registry = new DocRegistry(storage, { unloadAfterMs: 20, compactAfter: 100 });
		const a = peer();
		const shared = await registry.join(key, a);
		await registry.store(shared, a, edit('kept'));
		registry.leave(shared, a);
		expect(registry.loadedCount).toBe(1);
		await waitUntil(() => registry.loadedCount === 0);
		const again = await registry.join(key, peer());
		expect(again).not.toBe(shared);
		expect(again.doc.getText('t').toString()).toBe('kept');
		await registry.close();
	});

	it('[SY4] a thousand documents opened and closed are all unloaded (R11)', async () => {
		const registry = new DocRegistry(createMemoryStorage(), {
			unloadAfterMs: 1,
			compactAfter: 100
		});
		const peers = await Promise.all(
			Array.from({ length: 1000 }, async (_, i) => {
				const p = peer();
				return { p, shared: await registry.join(docKey('acct', `session.d${i}`), p) };
			})
		);
		expect(registry.loadedCount).toBe(1000);
		for (const { p, shared } of peers) registry.leave(shared, p);
		await waitUntil(() => registry.loadedCount === 0);
		await registry.close();
	});

	it('[SY5] a newcomer during a slow store and unload sees the latest state (R10)', async () => {
		const storage = createMemoryStorage();
		let release = () => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const slow: DocStorage = {
			...storage,
			append: async (k, u, o) => {
				await gate;
				return storage.append(k, u, o);
			}
		};
		const registry = new DocRegistry(slow, { unloadAfterMs: 0, compactAfter: 100 });
		const a = peer();
		const shared = await registry.join(key, a);
		const stored = registry.store(shared, a, edit('latest'));
		registry.leave(shared, a);
		// The unload is due now, but waits for the append in flight; the newcomer waits behind it.
		const joining = registry.join(key, peer());
		release();
		const newcomer = await joining;
		await stored;
		expect(newcomer.doc.getText('t').toString()).toBe('latest');
		expect(await storage.load(key)).toHaveLength(1);
		await registry.close();
	});

	it('[SY6] compacts the log after the configured number of updates', async () => {
		const storage = createMemoryStorage();
		const compact = vi.spyOn(storage, 'compact');
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 3 });
		const a = peer();
		const shared = await registry.join(key, a);
		for (const word of ['a', 'b', 'c']) await registry.store(shared, a, edit(word));
		await waitUntil(() => compact.mock.calls.length === 1);
		expect((await storage.load(key)).length).toBe(1);
		await registry.close();
	});

	it('[SY7] a redundant update (a reconnecting step 2) is acknowledged without growing the log', async () => {
		const storage = createMemoryStorage();
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const a = peer();
		const shared = await registry.join(key, a);
		const client = new Y.Doc();
		client.getText('t').insert(0, 'abc');
		client.getText('t').delete(1, 1);
		await registry.store(shared, a, Y.encodeStateAsUpdate(client));
		await registry.store(shared, a, Y.encodeStateAsUpdate(client));
		expect(await storage.load(key)).toHaveLength(1);
		await registry.close();
	});

	it('[SY8] deleting a live document closes its peers with "deleted" and refuses new joins', async () => {
		const storage = createMemoryStorage();
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const a = peer();
		const shared = await registry.join(key, a);
		await registry.store(shared, a, edit('gone'));
		await registry.delete(key);
		expect(a.closedWith).toEqual(['deleted']);
		expect(await storage.load(key)).toEqual([]);
		await expect(registry.join(key, peer())).rejects.toBeInstanceOf(DocDeletedError);
		await waitUntil(() => registry.loadedCount === 0);
		await registry.close();
	});
});

describe('[HD] bulk deletion', () => {
	/** Memory storage that records each purgeMany call and how many ran at once. */
	function countingStorage() {
		const storage = createMemoryStorage();
		const calls: string[][] = [];
		let running = 0;
		let mostAtOnce = 0;
		const purgeMany = storage.purgeMany.bind(storage);
		storage.purge = () => Promise.reject(new Error('one document at a time is not batched'));
		storage.purgeMany = async (keys) => {
			calls.push([...keys].sort());
			mostAtOnce = Math.max(mostAtOnce, ++running);
			await new Promise((resolve) => setTimeout(resolve, 5));
			await purgeMany(keys);
			running--;
		};
		return { storage, calls, mostAtOnce: () => mostAtOnce };
	}

	it('[HD12] a 500-name delete, with the sessions its projects list, is one purge of them all; live peers are closed', async () => {
		const { storage, calls } = countingStorage();
		const project = new Y.Doc();
		shapes.addSession(project, 'listed', Date.now());
		await storage.append(docKey('acct', 'project.p'), Y.encodeStateAsUpdate(project));
		const names = Array.from({ length: 499 }, (_, i) => `session.s${i}` as const);
		for (const name of names) await storage.append(docKey('acct', name), edit(name));
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const a = peer();
		const live = await registry.join(docKey('acct', 'session.s7'), a);
		await registry.store(live, a, edit('live'));

		await registry.deleteMany([...names, 'project.p'].map((name) => docKey('acct', name)));
		expect(calls).toHaveLength(1);
		expect(calls[0]).toEqual(
			[...names, 'project.p', 'session.listed'].map((name) => docKey('acct', name)).sort()
		);
		expect(a.closedWith).toEqual(['deleted']);
		for (const name of [...names, 'session.listed']) {
			expect(await storage.isDeleted(docKey('acct', name))).toBe(true);
			expect(await storage.load(docKey('acct', name))).toEqual([]);
		}
		await registry.close();
	});

	it('[HD12] delete requests in parallel are purged one after another, one purge each', async () => {
		const { storage, calls, mostAtOnce } = countingStorage();
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 100 });
		const requests = Array.from({ length: 5 }, (_, r) =>
			Array.from({ length: 100 }, (_, i) => docKey(`acct${r}`, `session.s${i}`))
		);
		for (const keys of requests) for (const k of keys) await storage.append(k, edit(k));
		await Promise.all(requests.map((keys) => registry.deleteMany(keys)));
		expect(calls.map((keys) => keys.length)).toEqual([100, 100, 100, 100, 100]);
		expect(mostAtOnce()).toBe(1);
		await registry.close();
	});
});

describe('[HD] memory after unloads', () => {
	it('[HD13] the registry reports every document it unloads, once', async () => {
		const storage = createMemoryStorage();
		const onUnload = vi.fn();
		const registry = new DocRegistry(storage, { unloadAfterMs: 5, compactAfter: 100, onUnload });
		const peers = await Promise.all(
			Array.from({ length: 20 }, async (_, i) => {
				const p = peer();
				const shared = await registry.join(docKey('acct', `session.u${i}`), p);
				return { p, shared };
			})
		);
		expect(onUnload).not.toHaveBeenCalled();
		for (const { p, shared } of peers) registry.leave(shared, p);
		await waitUntil(() => registry.loadedCount === 0);
		expect(onUnload).toHaveBeenCalledTimes(20);
		await registry.close();
	});
});

describe('[HD] quotas and compaction', () => {
	it('[HD5] an update that would take the document over its quota is refused: nothing relayed or stored', async () => {
		const storage = createMemoryStorage();
		const registry = new DocRegistry(storage, {
			unloadAfterMs: 10,
			compactAfter: 100,
			maxDocBytes: 200
		});
		const a = peer();
		const b = peer();
		const shared = await registry.join(key, a);
		await registry.join(key, b);
		await registry.store(shared, a, edit('fits'));
		const big = registry.store(shared, a, edit('x'.repeat(300)));
		await expect(big).rejects.toEqual(new QuotaExceededError('document'));
		expect(b.frames).toHaveLength(1);
		expect(await storage.load(key)).toHaveLength(1);
		expect(shared.doc.getText('t').toString()).toBe('fits');
		await registry.close();
	});

	it('[HD5] the account quota counts every document of the account, and no other account', async () => {
		const storage = createMemoryStorage();
		await storage.append(docKey('acct', 'session.old'), edit('y'.repeat(150)));
		const registry = new DocRegistry(storage, {
			unloadAfterMs: 10,
			compactAfter: 100,
			maxAccountBytes: 250
		});
		const shared = await registry.join(key, peer());
		await expect(registry.store(shared, peer(), edit('z'.repeat(120)))).rejects.toEqual(
			new QuotaExceededError('account')
		);
		await registry.store(shared, peer(), edit('small'));
		const other = await registry.join(docKey('other', 'session.s1'), peer());
		await registry.store(other, peer(), edit('z'.repeat(120)));
		await registry.close();
	});

	it('[HD4] tiny updates to a large document do not compact it every 200 appends', async () => {
		const storage = createMemoryStorage();
		await storage.append(key, edit('w'.repeat(20_000)));
		await storage.compact(key);
		const compact = vi.spyOn(storage, 'compact');
		const registry = new DocRegistry(storage, { unloadAfterMs: 10, compactAfter: 3 });
		const a = peer();
		const shared = await registry.join(key, a);
		for (let i = 0; i < 10; i++) await registry.store(shared, a, edit(`${i}`));
		expect(compact).not.toHaveBeenCalled();
		// Twenty times the count compacts whatever the size.
		for (let i = 0; i < 50; i++) await registry.store(shared, a, edit(`${i}`));
		await waitUntil(() => compact.mock.calls.length >= 1);
		await registry.close();
	});

	it('[HD4] a compaction shrinks the account total it freed, without counting the account again', async () => {
		const storage = createMemoryStorage();
		const count = vi.spyOn(storage, 'accountBytes');
		const compact = vi.spyOn(storage, 'compact');
		const registry = new DocRegistry(storage, {
			unloadAfterMs: 10,
			compactAfter: 3,
			maxAccountBytes: 2000
		});
		const a = peer();
		const shared = await registry.join(key, a);
		const text = (change: (t: Y.Text) => void) => {
			const before = Y.encodeStateVector(shared.doc);
			const doc = new Y.Doc();
			Y.applyUpdate(doc, Y.encodeStateAsUpdate(shared.doc));
			change(doc.getText('t'));
			return Y.encodeStateAsUpdate(doc, before);
		};
		await registry.store(
			shared,
			a,
			text((t) => t.insert(0, 'x'.repeat(1000)))
		);
		await registry.store(
			shared,
			a,
			text((t) => t.delete(0, 1000))
		);
		await registry.store(
			shared,
			a,
			text((t) => t.insert(0, 'kept'))
		);
		await waitUntil(() => compact.mock.calls.length === 1);
		await compact.mock.results[0]!.value;
		// About 1,100 bytes before the compaction: this fits only if its freed bytes were counted.
		await registry.store(
			shared,
			a,
			text((t) => t.insert(0, 'y'.repeat(1400)))
		);
		expect(count).toHaveBeenCalledTimes(1);
		await registry.close();
	});

	it('[HD10] past its idle budget, the documents of an account unload as soon as their last peer leaves; others wait', async () => {
		const registry = new DocRegistry(createMemoryStorage(), {
			unloadAfterMs: 60_000,
			compactAfter: 100,
			maxIdleDocsPerAccount: 2
		});
		const other = peer();
		const kept = await registry.join(docKey('other', 'session.k'), other);
		registry.leave(kept, other);
		for (let i = 0; i < 6; i++) {
			const p = peer();
			const shared = await registry.join(docKey('acct', `session.d${i}`), p);
			registry.leave(shared, p);
		}
		// Two of acct's wait out the idle time, as does the other account's one.
		await waitUntil(() => registry.loadedCount === 3);
		await registry.close();
	});
});
