import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isDocName } from '../../src/lib/core/doc-names.js';
import {
	closeCode,
	maxMessageBytes,
	subprotocol,
	type CloseReason
} from '../../src/lib/core/sync-protocol.js';
import { docKey } from '../storage/types.js';
import { SyncConnection, type ConnectionOptions } from './connection.js';
import type { RateLimits } from './rate-limit.js';
import type { DocRegistry } from './registry.js';
import { defaultUpdateLimits, type UpdateLimits } from '../../src/lib/core/update-shape.js';
import { defaultWorkBudget, WorkBudgets, type WorkBudgetLimits } from './work-budget.js';

export interface Authenticated {
	accountId: string;
}

/**
 * Decides, from the upgrade request alone (token in the subprotocol, Origin), who is connecting.
 * Throws an error with a numeric `status` to refuse.
 */
export type AuthenticateUpgrade = (req: IncomingMessage) => Authenticated | Promise<Authenticated>;

export interface SyncLimits {
	rate: RateLimits;
	maxMessageBytes: number;
	maxAwarenessBytes: number;
	maxQueuedFrames: number;
	/** An upgrade not authenticated and accepted within this time is dropped (S5). */
	upgradeTimeoutMs: number;
	/** Upgrades being authenticated at once; more are answered 503 (S5). */
	maxPendingUpgrades: number;
	/** Unanswered pings close the socket after this long. */
	pingIntervalMs: number;
	/** A client that does not read its socket is dropped when this much is waiting for it. */
	maxBufferedBytes: number;
	/** Open sockets per account; more are closed with 4429, so one account cannot fill memory. */
	maxConnectionsPerAccount: number;
	/** What one update may contain [HD1]. */
	updateLimits: UpdateLimits;
	/** Largest sync step 1 state vector [HD1]. */
	maxStateVectorBytes: number;
	/** Work per account, across its sockets [HD2]. */
	workBudget: WorkBudgetLimits;
}

export const defaultSyncLimits: SyncLimits = {
	rate: {
		messagesPerSecond: 100,
		messageBurst: 500,
		bytesPerSecond: 2 * 1024 * 1024,
		byteBurst: 2 * maxMessageBytes
	},
	maxMessageBytes,
	maxAwarenessBytes: 64 * 1024,
	maxQueuedFrames: 1000,
	upgradeTimeoutMs: 10_000,
	maxPendingUpgrades: 256,
	pingIntervalMs: 30_000,
	maxBufferedBytes: 32 * 1024 * 1024,
	maxConnectionsPerAccount: 200,
	updateLimits: defaultUpdateLimits,
	maxStateVectorBytes: 256 * 1024,
	workBudget: defaultWorkBudget
};

export interface SyncEndpointOptions {
	registry: DocRegistry;
	authenticateUpgrade: AuthenticateUpgrade;
	limits?: Partial<SyncLimits>;
	/** The Host check of the HTTP server [HD8]: an upgrade for another name is refused (421). */
	checkHost?: (host: string | undefined) => boolean;
	/** Called with the socket of an authenticated sync connection (the per-address cap lets go). */
	onAccepted?: (socket: Duplex) => void;
	log?: (message: string, error?: unknown) => void;
}

const prefix = '/sync/';

/** Serves `/sync/<docName>` on an existing HTTP server: authenticate, then hand over to `ws`. */
export function attachSyncEndpoint(server: Server, options: SyncEndpointOptions) {
	const limits = { ...defaultSyncLimits, ...options.limits };
	const wss = new WebSocketServer({
		noServer: true,
		// Frames a little over our limit still reach us and get the 4413 close with its reason;
		// far bigger ones are cut off by ws itself (1009) before they are buffered.
		maxPayload: limits.maxMessageBytes + 64 * 1024,
		perMessageDeflate: false,
		handleProtocols: selectProtocol
	});
	// Slow or never-finished request headers (slowloris on the upgrade) are cut off early.
	server.headersTimeout = Math.min(server.headersTimeout, limits.upgradeTimeoutMs);
	let pending = 0;
	const perAccount = new Map<string, number>();
	const budgets = new WorkBudgets(limits.workBudget);
	const sweep = setInterval(() => budgets.sweep(), 60_000);
	sweep.unref();

	const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
		if (!pathname.startsWith(prefix)) {
			// Another module may serve upgrades on its own path; only a lone listener answers 404.
			if (server.listenerCount('upgrade') === 1) refuse(socket, 404);
			return;
		}
		if (options.checkHost && !options.checkHost(req.headers.host)) return refuse(socket, 421);
		if (pending >= limits.maxPendingUpgrades) return refuse(socket, 503);
		pending++;
		const timer = setTimeout(() => socket.destroy(), limits.upgradeTimeoutMs);
		try {
			let reason: CloseReason | undefined;
			let accountId = '';
			try {
				({ accountId } = await options.authenticateUpgrade(req));
			} catch (error) {
				const status = httpStatus(error);
				// A refused token is answered in the socket (4401), because a browser cannot see the
				// HTTP status of a failed upgrade and would retry forever instead of renewing.
				if (status !== 401) return refuse(socket, status);
				reason = 'authFailed';
			}
			const name = safeDecode(pathname.slice(prefix.length));
			// Anything that is not one of our names looks exactly like a missing document (S2).
			if (!reason && (name === undefined || !isDocName(name))) reason = 'notFound';
			if (socket.destroyed) return;
			wss.handleUpgrade(req, socket, head, (ws) => {
				if (reason || name === undefined || !isDocName(name)) {
					const { code, reason: text } = closeCode[reason ?? 'notFound'];
					ws.close(code, text);
					return;
				}
				options.onAccepted?.(socket);
				serve(ws, accountId, docKey(accountId, name));
			});
		} finally {
			clearTimeout(timer);
			pending--;
		}
	};

	const serve = (ws: WebSocket, accountId: string, key: ReturnType<typeof docKey>) => {
		const open = perAccount.get(accountId) ?? 0;
		if (open >= limits.maxConnectionsPerAccount) {
			ws.close(closeCode.rateLimited.code, closeCode.rateLimited.reason);
			return;
		}
		perAccount.set(accountId, open + 1);
		const connectionOptions: ConnectionOptions = {
			acks: ws.protocol === subprotocol.tether,
			limits: limits.rate,
			maxMessageBytes: limits.maxMessageBytes,
			maxAwarenessBytes: limits.maxAwarenessBytes,
			maxQueuedFrames: limits.maxQueuedFrames,
			updateLimits: limits.updateLimits,
			maxStateVectorBytes: limits.maxStateVectorBytes,
			spend: (units) => budgets.take(accountId, units),
			charge: (units) => budgets.charge(accountId, units),
			log: options.log
		};
		const socket = {
			send(data: Uint8Array) {
				if (ws.readyState !== ws.OPEN) return;
				if (ws.bufferedAmount > limits.maxBufferedBytes) return ws.terminate();
				ws.send(data);
			},
			close: (code: number, reason: string) => ws.close(code, reason)
		};
		const connection = new SyncConnection(socket, key, options.registry, connectionOptions);
		let alive = true;
		const ping = setInterval(() => {
			if (!alive) return ws.terminate();
			alive = false;
			ws.ping();
		}, limits.pingIntervalMs);
		ws.on('pong', () => (alive = true));
		ws.on('message', (data, isBinary) => {
			alive = true;
			if (!isBinary) return connection.close('malformed');
			connection.receive(toBytes(data));
		});
		ws.on('error', (error) => options.log?.('sync socket error', error));
		ws.on('close', () => {
			clearInterval(ping);
			const left = (perAccount.get(accountId) ?? 1) - 1;
			if (left > 0) perAccount.set(accountId, left);
			else perAccount.delete(accountId);
			connection.closed();
		});
		void connection.start();
	};

	const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		void onUpgrade(req, socket, head).catch((error: unknown) => {
			options.log?.('upgrade failed', error);
			socket.destroy();
		});
	};
	server.on('upgrade', listener);

	return {
		close() {
			clearInterval(sweep);
			server.off('upgrade', listener);
			for (const client of wss.clients) client.terminate();
			wss.close();
		}
	};
}

/** `tether.v1` when offered (our client); otherwise echo the token protocol (y-websocket client). */
function selectProtocol(offered: Set<string>): string | false {
	if (offered.has(subprotocol.tether)) return subprotocol.tether;
	for (const p of offered) if (p.startsWith(subprotocol.authPrefix)) return p;
	return false;
}

function refuse(socket: Duplex, status: number): void {
	if (socket.writable) {
		socket.write(`HTTP/1.1 ${status} ${statusText(status)}\r\nConnection: close\r\n\r\n`);
	}
	socket.destroy();
}

function statusText(status: number): string {
	const texts: Record<number, string> = {
		400: 'Bad Request',
		401: 'Unauthorized',
		403: 'Forbidden',
		404: 'Not Found',
		421: 'Misdirected Request',
		429: 'Too Many Requests',
		503: 'Service Unavailable'
	};
	return texts[status] ?? 'Error';
}

function httpStatus(error: unknown): number {
	const status = (error as { status?: unknown } | null)?.status;
	return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function safeDecode(s: string): string | undefined {
	try {
		return decodeURIComponent(s);
	} catch {
		return undefined;
	}
}

/** A view, not a copy: frames can be megabytes. */
function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
	const buffer = Array.isArray(data) ? Buffer.concat(data) : data;
	if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
	return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
