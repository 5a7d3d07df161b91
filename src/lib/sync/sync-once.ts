import type * as Y from 'yjs';
import type { DocName } from '../core/doc-names.js';
import { SyncProvider, type FatalReason } from './provider.js';
import type { WebSocketConstructor } from './socket.js';

export class SyncFatalError extends Error {
	constructor(readonly reason: FatalReason) {
		super(`sync stopped: ${reason}`);
	}
}

export interface SyncOnceOptions {
	url: string;
	docName: DocName;
	doc: Y.Doc;
	getToken: (options?: { renew: boolean }) => Promise<string>;
	WebSocketImpl?: WebSocketConstructor;
	/** Transaction origin for updates from the server (see SyncProviderOptions). */
	origin?: object;
	/** Give up (and reject) after this long; default 30 s. */
	timeoutMs?: number;
}

/**
 * Background catch-up for a document without a live socket: connect, exchange state both ways,
 * wait until the server has stored everything this device sent, then close. Rejects with
 * SyncFatalError (e.g. 'deleted': drop the local copy) or on timeout; the caller retries later.
 */
export async function syncOnce(options: SyncOnceOptions): Promise<void> {
	let fail: (error: Error) => void = () => {};
	const failed = new Promise<never>((_, reject) => (fail = reject));
	const provider = new SyncProvider({
		...options,
		awareness: null,
		onFatal: (reason) => fail(new SyncFatalError(reason))
	});
	const timer = setTimeout(
		() => fail(new Error(`sync of ${options.docName} timed out`)),
		options.timeoutMs ?? 30_000
	);
	try {
		await Promise.race([provider.whenSynced, failed]);
	} finally {
		clearTimeout(timer);
		provider.destroy();
	}
}
