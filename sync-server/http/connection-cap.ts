import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Caps the open connections per client address that are not authenticated sync sockets [HD6]:
 * idle, slow or half-sent requests from one address cannot use up the process's descriptors.
 * A socket the sync endpoint accepted is released from the count (an account's sockets have
 * their own cap); every socket is forgotten when it closes.
 */
export function capConnections(server: Server, maxPerAddress: number, tls: boolean) {
	const open = new Map<string, number>();
	const counted = new WeakMap<Duplex, string>();
	const release = (socket: Duplex) => {
		const address = counted.get(socket);
		if (address === undefined) return;
		counted.delete(socket);
		const left = (open.get(address) ?? 1) - 1;
		if (left > 0) open.set(address, left);
		else open.delete(address);
	};
	// Over TLS the socket requests and upgrades arrive on is the TLS one (handshakes are bounded
	// by their own timeout); over plain HTTP it is the connection itself.
	server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
		const address = socket.remoteAddress ?? 'unknown';
		const count = open.get(address) ?? 0;
		if (count >= maxPerAddress) {
			socket.destroy();
			return;
		}
		open.set(address, count + 1);
		counted.set(socket, address);
		socket.once('close', () => release(socket));
	});
	return {
		/** The socket became an authenticated sync socket: it no longer counts. */
		release,
		/** Counted connections of one address (tests). */
		openFrom: (address: string) => open.get(address) ?? 0
	};
}
