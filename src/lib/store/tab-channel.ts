import { isDocName, type DocName } from '../core/doc-names.js';

type TabMessage =
	{ kind: 'update'; name: DocName; update: Uint8Array } | { kind: 'purged'; name: DocName };

/**
 * Shares what this tab stored with the other tabs of the same browser, so open documents stay
 * consistent without a reload. Only stored updates are sent: the receiver never stores them.
 */
export class TabChannel {
	readonly #channel: BroadcastChannel;

	constructor(
		dbName: string,
		handlers: {
			update: (name: DocName, update: Uint8Array) => void;
			purged: (name: DocName) => void;
		}
	) {
		this.#channel = new BroadcastChannel(`tether-docs:${dbName}`);
		this.#channel.onmessage = (event: MessageEvent<TabMessage>) => {
			const message = event.data;
			if (!message || !isDocName(message.name)) return;
			if (message.kind === 'update' && message.update instanceof Uint8Array) {
				handlers.update(message.name, message.update);
			} else if (message.kind === 'purged') {
				handlers.purged(message.name);
			}
		};
	}

	sendUpdate(name: DocName, update: Uint8Array): void {
		this.#channel.postMessage({ kind: 'update', name, update } satisfies TabMessage);
	}

	sendPurged(name: DocName): void {
		this.#channel.postMessage({ kind: 'purged', name } satisfies TabMessage);
	}

	close(): void {
		this.#channel.close();
	}
}
