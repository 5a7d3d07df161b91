import type { DocKey } from '../storage/types.js';

/**
 * What instances tell each other through Redis. Content never needs the relay to be durable:
 * every update is stored by the instance that received it, so a message lost while Redis was
 * away is caught up from storage (`resync`).
 */
export type RelayMessage =
	/** A Yjs update applied on the sending instance (stored there). */
	| { kind: 'update'; key: DocKey; payload: Uint8Array }
	/** An awareness (presence) update from a client of the sending instance. */
	| { kind: 'awareness'; key: DocKey; payload: Uint8Array }
	/** The document was purged: close its connections and unload it. */
	| { kind: 'deleted'; key: DocKey }
	/** The sender may have missed or failed to send messages: reload loaded documents from storage. */
	| { kind: 'resync' }
	/** Stop for a session's running answer, for whichever instance runs it. */
	| { kind: 'stop'; accountId: string; sessionId: string; messageId?: string };

export type RelayStatus = 'ok' | 'down';

/**
 * The instances' bus. One implementation talks to Redis; none at all on a single instance. A
 * document's updates, presence and deletion reach only the instances that watch it (that have it
 * loaded), so an update costs the instances that need it, not every instance.
 */
export interface Relay {
	/** Fire and forget: while the bus is down the message is dropped (resync catches up). */
	publish(message: RelayMessage): void;
	/**
	 * From now on, this instance gets the document's messages. Resolves once they are sure to
	 * arrive (so a load from storage after it misses nothing), or after a short wait when the bus
	 * is away (its return brings a resync).
	 */
	watch(key: DocKey): Promise<void>;
	/** The document left memory here: its messages no longer need to come. */
	unwatch(key: DocKey): void;
	/** Messages from other instances (never this one's own). */
	onMessage(handler: (message: RelayMessage) => void): void;
	/** Called when the bus came back after a loss: whatever was missed must be caught up. */
	onRecovered(handler: () => void): void;
	status(): RelayStatus;
	close(): Promise<void>;
}

interface Header {
	from: string;
	kind: RelayMessage['kind'];
	key?: string;
	accountId?: string;
	sessionId?: string;
	messageId?: string;
}

/** A JSON header line, then the payload bytes as they are: no base64 on the hot path. */
export function encodeRelayMessage(from: string, message: RelayMessage): Buffer {
	const { payload, ...rest } = message as RelayMessage & { payload?: Uint8Array };
	const header = Buffer.from(JSON.stringify({ from, ...rest } satisfies Header) + '\n', 'utf8');
	return payload ? Buffer.concat([header, payload]) : header;
}

/** The sender and the message, or null for bytes that are not a relay message. */
export function decodeRelayMessage(bytes: Buffer): { from: string; message: RelayMessage } | null {
	const end = bytes.indexOf(0x0a);
	if (end < 0) return null;
	let header: Header;
	try {
		header = JSON.parse(bytes.subarray(0, end).toString('utf8')) as Header;
	} catch {
		return null;
	}
	const payload = new Uint8Array(bytes.subarray(end + 1));
	const key = header.key as DocKey | undefined;
	switch (header.kind) {
		case 'update':
		case 'awareness':
			return key ? { from: header.from, message: { kind: header.kind, key, payload } } : null;
		case 'deleted':
			return key ? { from: header.from, message: { kind: 'deleted', key } } : null;
		case 'resync':
			return { from: header.from, message: { kind: 'resync' } };
		case 'stop':
			if (!header.accountId || !header.sessionId) return null;
			return {
				from: header.from,
				message: {
					kind: 'stop',
					accountId: header.accountId,
					sessionId: header.sessionId,
					...(header.messageId ? { messageId: header.messageId } : {})
				}
			};
		default:
			return null;
	}
}
