/**
 * The sync wire protocol shared by the server and the app. It is the y-websocket protocol
 * (sync and awareness messages, so the official client works) plus one message of our own.
 */

/** First varUint of every binary frame. 0-3 are y-websocket's; 100 is Tether's. */
export const messageType = {
	sync: 0,
	awareness: 1,
	auth: 2,
	queryAwareness: 3,
	/**
	 * Server to client, only for clients that offered the `tether.v1` subprotocol: followed by a
	 * varUint, the number of this connection's sync messages (step 2 and updates) that are now on
	 * disk. The client keeps a document "unsynced" until every message it sent is acknowledged.
	 */
	stored: 100
} as const;

/** Subprotocols: the client offers both; the server selects `tether.v1`. */
export const subprotocol = {
	tether: 'tether.v1',
	/** The sync token travels as `tether.auth.<token>`: never in the URL, never the raw API key. */
	authPrefix: 'tether.auth.'
} as const;

/** WebSocket close codes the server uses, with the reason text it sends. */
export const closeCode = {
	/** Malformed frame or unknown message type. The client should not resend the same bytes. */
	malformed: { code: 4400, reason: 'malformed message' },
	/** Token missing, invalid or expired: the client renews its token before reconnecting. */
	authFailed: { code: 4401, reason: 'authentication failed' },
	/** The document does not exist for this account or cannot be opened. */
	notFound: { code: 4404, reason: 'not found' },
	/** The document was deleted: the client drops its copy and does not reconnect. */
	deleted: { code: 4410, reason: 'deleted' },
	/** A frame over the size limit: the client stops retrying and tells the user. */
	tooLarge: { code: 4413, reason: 'message too large' },
	/** An update with more structs, values or deletions than one update may carry (same code). */
	updateTooLarge: { code: 4413, reason: 'update too large' },
	/** The account is over its storage quota: retrying cannot help. */
	quotaExceeded: { code: 4507, reason: 'storage quota exceeded' },
	/** This one document is over the size one document may take: retrying cannot help. */
	documentQuotaExceeded: { code: 4508, reason: 'document over its storage quota' },
	/** Too many messages or bytes per second. */
	rateLimited: { code: 4429, reason: 'rate limited' },
	/** Storage failed: nothing from this connection is lost, the client retries later. */
	storageFailed: { code: 4503, reason: 'storage unavailable' }
} as const;

export type CloseReason = keyof typeof closeCode;

/** Largest frame the server accepts (bytes); the client refuses to send a bigger one. */
export const maxMessageBytes = 8 * 1024 * 1024;
