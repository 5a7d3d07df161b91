/**
 * The part of a WebSocket the provider uses. The browser's WebSocket and the `ws` package both
 * fit, so tests in Node pass `ws` while the app uses the global.
 */

// Handlers are declared through a method so their parameter is checked bivariantly: the browser's
// and ws's event classes both carry what we read (`data`, `code`, `reason`).
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface WebSocketLike {
	binaryType: string;
	readonly readyState: number;
	readonly protocol: string;
	send(data: Uint8Array): void;
	close(code?: number, reason?: string): void;
	onopen: Handler<unknown> | null;
	onmessage: Handler<{ data: unknown }> | null;
	onclose: Handler<{ code: number; reason: string }> | null;
	onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/** WebSocket.OPEN, which not every implementation exposes on instances. */
export const OPEN = 1;
