import type * as Y from 'yjs';
import { isDocName, type DocName } from '../core/doc-names.js';
import type { DocStore } from '../store/doc-store.js';
import { syncOnce, SyncFatalError } from './sync-once.js';

const cursorKey = 'changes-cursor';
const concurrency = 3;

export interface CatchUpOptions {
	store: DocStore;
	url: string;
	getToken: (options?: { renew: boolean }) => Promise<string>;
	/** Origin of updates from the server, which the store counts as nothing to send. */
	origin: object;
	/** A document is stored on the server as this device has it. */
	onSynced?: (name: DocName, doc: Y.Doc) => void;
	/** Documents with a live socket of their own: skipped here. */
	isLive: (name: DocName) => boolean;
	onProgress: (done: number, total: number) => void;
}

/**
 * Brings every document without a live socket up to date: asks the server which documents
 * changed since the last time, then syncs those a few at a time. The cursor only moves once all
 * of them are stored here, so an interrupted catch-up starts over where it was.
 */
export async function catchUp(options: CatchUpOptions): Promise<void> {
	const { store } = options;
	const since = Number((await store.db.meta.get(cursorKey))?.value ?? 0);
	const response = await fetch(`/api/changes?since=${since}`, {
		headers: { authorization: `Bearer ${await options.getToken()}` }
	});
	if (!response.ok) throw new Error(`catch-up failed: the server answered ${response.status}`);
	const changes = (await response.json()) as {
		cursor: number;
		changed: string[];
		deleted: string[];
	};
	for (const name of changes.deleted)
		if (isDocName(name)) await store.purge(name, { serverKnows: true });
	// Also what this device changed while the document had no socket (offline, closed since).
	const wanted = new Set([
		...changes.changed.filter(isDocName),
		...(await store.outbox.pendingDocs())
	]);
	const queue = [...wanted].filter((name) => !options.isLive(name));
	const total = queue.length;
	let done = 0;
	options.onProgress(done, total);
	const worker = async () => {
		for (let name = queue.shift(); name; name = queue.shift()) {
			await syncStored(options, name);
			options.onProgress(++done, total);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	await store.db.meta.put({ key: cursorKey, value: changes.cursor });
}

async function syncStored(options: CatchUpOptions, name: DocName): Promise<void> {
	let doc;
	try {
		doc = await options.store.open(name);
	} catch {
		return; // Deleted on this device: the deletion outbox tells the server.
	}
	try {
		// Everything this device had of the document when the exchange began is what it confirms.
		const version = options.store.outbox.version();
		await syncOnce({
			url: options.url,
			docName: name,
			doc,
			getToken: options.getToken,
			origin: options.origin
		});
		await options.store.flush();
		await options.store.outbox.confirm(name, version);
		options.onSynced?.(name, doc);
	} catch (error) {
		if (error instanceof SyncFatalError && error.reason === 'deleted') {
			options.store.release(name);
			doc = undefined;
			await options.store.purge(name, { serverKnows: true });
			return;
		}
		throw error;
	} finally {
		if (doc) options.store.release(name);
	}
}
