import type * as Y from 'yjs';
import { accountDoc, parseDocName, type DocName } from '../core/doc-names.js';
import { syncStatusText, type SyncStatusText } from '../core/sync-status.js';
import type { DocStore } from '../store/doc-store.js';
import { catchUp } from './catch-up.js';
import { sendDeletions } from './deletions.js';
import { PushSubscriber } from './push.js';
import { RunRequests } from './run-requests.js';
import { SyncProvider, type FatalReason } from './provider.js';
import { SignInRequiredError, type TokenSource } from './tokens.js';

const cycleEveryMs = 30_000;

const fatalMessages: Partial<Record<FatalReason, string>> = {
	auth: 'The server no longer accepts this API key. Sign out and sign in again to keep syncing.',
	'too-large':
		'A change is too large to sync. It is kept on this device; other changes still sync.',
	quota:
		'The server is out of room for this account. Changes are kept on this device but no longer sync; delete old sessions to make room.'
};

/** One document is over the size the server keeps for one ([HD5]): say which, and what follows. */
function documentQuotaMessage(kind: 'account' | 'project' | 'session', title?: string) {
	const one = kind === 'account' ? 'list' : kind;
	const what =
		kind === 'account' ? 'The list of projects' : title ? `The ${kind} “${title}”` : `A ${kind}`;
	return `${what} is larger than the server keeps for one ${one}. It is kept on this device but no longer syncs; everything else still syncs.`;
}

/**
 * Sync for the signed-in account: a live socket for each document a view holds (the account's
 * project list, the open project, the open session), background catch-up for the rest, the
 * deletion outbox, and the one status the person sees.
 */
export class AccountSync {
	status = $state<SyncStatusText>('Offline');
	/** First-sync progress while documents are being caught up; undefined when idle. */
	progress = $state<{ done: number; total: number } | undefined>();
	problem = $state<string | undefined>();
	/** This device holds changes the server has not confirmed (edits, deletions, backlog). */
	pendingChanges = $state(false);

	/** Asks the server to answer waiting messages, and to stop. */
	readonly runs: RunRequests;
	/** This device's Web Push subscription, once the person allowed notifications. */
	readonly push: PushSubscriber;
	readonly #store: DocStore;
	readonly #tokens: TokenSource;
	readonly #url: string;
	// Not reactive on purpose: the status is recomputed explicitly when a provider reports.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #live = new Map<DocName, { provider: SyncProvider; refs: number }>();
	/** Origin of every update applied from the server, live or caught up. */
	readonly #fromServer = {};
	#online = typeof navigator === 'undefined' ? true : navigator.onLine;
	#cycle: Promise<void> | undefined;
	#cycleAgain = false;
	#timer: ReturnType<typeof setInterval> | undefined;
	#offPurged: () => void;
	#offOutbox: () => void;
	#offSaveState: () => void;

	constructor(store: DocStore, tokens: TokenSource, url: string) {
		this.#store = store;
		this.#tokens = tokens;
		this.#url = url;
		this.runs = new RunRequests({
			token: () => tokens.get(),
			apiKey: tokens.apiKey,
			onProblem: (message) => (this.problem = message)
		});
		this.push = new PushSubscriber(() => tokens.get());
		void this.push.ensure();
		this.#offPurged = store.onPurged((name) => {
			this.#drop(name);
			void this.#runCycle();
		});
		store.addRemoteOrigin(this.#fromServer);
		this.#offOutbox = store.outbox.onChange(() => this.#refresh());
		this.#offSaveState = store.onSaveState(() => this.#refresh());
		window.addEventListener('online', this.#onOnline);
		window.addEventListener('offline', this.#onOffline);
		this.#timer = setInterval(() => void this.#runCycle(), cycleEveryMs);
		void this.#runCycle();
	}

	/** Keeps a live socket for a document while a view shows it. */
	hold(name: DocName, doc: Y.Doc): void {
		const held = this.#live.get(name);
		if (held) {
			held.refs++;
			return;
		}
		const provider = new SyncProvider({
			url: this.#url,
			docName: name,
			doc,
			getToken: this.#tokens.get,
			origin: this.#fromServer,
			connect: this.#online,
			onStatus: (status) => {
				if (status === 'synced') {
					// Everything this tab changed so far has been sent and stored: confirm it, and ask
					// for answers to messages the server now has.
					void this.#store.outbox.confirm(name, this.#store.outbox.version());
					this.runs.check(name, doc);
				}
				this.#refresh();
			},
			onFatal: (reason) => this.#onFatal(name, reason)
		});
		this.#live.set(name, { provider, refs: 1 });
		this.#refresh();
	}

	release(name: DocName): void {
		const held = this.#live.get(name);
		if (!held || --held.refs > 0) return;
		// Let go before the server confirmed what this tab sent (a person who sends and at once
		// opens another session): the catch-up takes it up now, not at its next round, which
		// left the status at "Saved on this device" for up to 30 s.
		const unconfirmed = held.provider.unsyncedCount > 0;
		this.#drop(name);
		if (unconfirmed) void this.#runCycle();
	}

	destroy(): void {
		clearInterval(this.#timer);
		window.removeEventListener('online', this.#onOnline);
		window.removeEventListener('offline', this.#onOffline);
		this.#offPurged();
		this.#offOutbox();
		this.#offSaveState();
		for (const name of [...this.#live.keys()]) this.#drop(name);
	}

	#drop(name: DocName): void {
		const held = this.#live.get(name);
		if (!held) return;
		held.provider.destroy();
		this.#live.delete(name);
		this.#refresh();
	}

	#onFatal(name: DocName, reason: FatalReason): void {
		if (reason === 'deleted') {
			void this.#store.purge(name, { serverKnows: true });
			return;
		}
		if (reason === 'document-quota') {
			void this.#documentQuotaMessage(name).then((message) => (this.problem = message));
			return;
		}
		const message = fatalMessages[reason];
		if (message) this.problem = message;
		this.#refresh();
	}

	async #documentQuotaMessage(name: DocName): Promise<string> {
		const parsed = parseDocName(name);
		if (!parsed || parsed.kind === 'account') return documentQuotaMessage('account');
		const { db } = this.#store;
		const title =
			parsed.kind === 'session'
				? (await db.sessions.get(parsed.id).catch(() => undefined))?.title
				: (await db.projects.get(parsed.id).catch(() => undefined))?.name;
		return documentQuotaMessage(parsed.kind, title);
	}

	// The browser's offline event is a disconnect: sockets can otherwise stall instead of failing.
	#onOffline = () => {
		this.#online = false;
		for (const { provider } of this.#live.values()) provider.disconnect();
		this.#refresh();
	};

	#onOnline = () => {
		this.#online = true;
		for (const { provider } of this.#live.values()) provider.connect();
		this.#refresh();
		void this.#runCycle();
	};

	/** Deletions out, then everything that changed elsewhere (or here, unsynced) in. */
	#runCycle(): Promise<void> {
		if (!this.#online) return Promise.resolve();
		if (this.#cycle) {
			// Something changed while a cycle runs (a purge, say): run once more after it.
			this.#cycleAgain = true;
			return this.#cycle;
		}
		this.#cycle = this.#cycleOnce().finally(() => {
			this.#cycle = undefined;
			if (this.#cycleAgain) {
				this.#cycleAgain = false;
				void this.#runCycle();
			}
		});
		return this.#cycle;
	}

	async #cycleOnce(): Promise<void> {
		try {
			await sendDeletions(this.#store.outbox, () => this.#tokens.get());
			await catchUp({
				store: this.#store,
				url: this.#url,
				getToken: this.#tokens.get,
				origin: this.#fromServer,
				onSynced: (name, doc) => this.runs.check(name, doc),
				isLive: (name) => this.#live.has(name) || name === accountDoc,
				onProgress: (done, total) => {
					this.progress = done < total && total > 3 ? { done, total } : undefined;
					this.#refresh();
				}
			});
		} catch (error) {
			if (error instanceof SignInRequiredError) this.problem = fatalMessages.auth;
			else console.warn('background sync will retry:', error);
		} finally {
			this.progress = undefined;
			await this.#store.outbox.refresh().catch(() => undefined);
			this.#refresh();
		}
	}

	#refresh(): void {
		const outbox = this.#store.outbox.state;
		this.status = syncStatusText({
			online: this.#online,
			live: [...this.#live.values()].map((h) => h.provider.status),
			pendingDocs: outbox.docs,
			pendingDeletions: outbox.deletions,
			local: this.#store.saveState
		});
		this.pendingChanges = outbox.docs > 0 || outbox.deletions > 0;
	}
}
