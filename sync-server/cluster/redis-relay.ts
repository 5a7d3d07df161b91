import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DocKey } from '../storage/types.js';
import {
	decodeRelayMessage,
	encodeRelayMessage,
	type Relay,
	type RelayMessage,
	type RelayStatus
} from './relay.js';

/** What concerns every instance: resync requests and Stop. */
const channel = 'tether:relay:v1';
/** A document's updates, presence and deletion: only instances with it loaded listen. */
const docChannel = (key: DocKey) => `tether:doc:v1:${key}`;
/** How long a load waits for its subscription when Redis is slow or away. */
const watchWaitMs = 1000;

/**
 * The relay on Redis pub/sub: a channel every instance subscribes to, a channel per loaded
 * document, one connection to publish and one to listen. Pub/sub keeps each publisher's order,
 * so one instance's updates of a document arrive everywhere in the order it applied them.
 * Publishing never queues while Redis is away (no unbounded memory): the message is dropped,
 * and when the listening connection is back every instance is asked to resync from storage.
 */
export async function createRedisRelay(
	url: string,
	log: (message: string) => void = () => {}
): Promise<Relay> {
	const id = randomBytes(8).toString('base64url');
	const retryStrategy = (times: number) => Math.min(50 * times, 1000);
	const options = { lazyConnect: true, retryStrategy };
	const pub = new Redis(url, { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
	const sub = new Redis(url, { ...options, maxRetriesPerRequest: null });
	const handlers: Array<(message: RelayMessage) => void> = [];
	const recovered: Array<() => void> = [];
	let lost = false;
	let up = { pub: false, sub: false };

	const setUp = (which: 'pub' | 'sub', value: boolean) => {
		const was = up.pub && up.sub;
		up = { ...up, [which]: value };
		const now = up.pub && up.sub;
		if (was && !now) {
			lost = true;
			log("lost Redis: serving this instance's clients only until it is back");
		}
		if (!was && now && lost) {
			lost = false;
			log('Redis is back: catching up from storage');
			// Others may have missed what this instance published meanwhile.
			publish({ kind: 'resync' });
			for (const handler of recovered) handler();
		}
	};
	for (const [which, connection] of [
		['pub', pub],
		['sub', sub]
	] as const) {
		connection.on('ready', () => setUp(which, true));
		connection.on('close', () => setUp(which, false));
		// Reconnects are ioredis's job; errors are reported through the status.
		connection.on('error', () => {});
	}
	sub.on('messageBuffer', (_channel: Buffer, bytes: Buffer) => {
		const decoded = decodeRelayMessage(bytes);
		if (!decoded || decoded.from === id) return;
		for (const handler of handlers) handler(decoded.message);
	});

	function publish(message: RelayMessage): void {
		if (!(up.pub && up.sub)) return;
		const to = 'key' in message ? docChannel(message.key) : channel;
		pub.publish(to, encodeRelayMessage(id, message)).catch(() => {});
	}

	const watched = new Set<DocKey>();
	async function watch(key: DocKey): Promise<void> {
		if (watched.has(key)) return;
		watched.add(key);
		// Offline, the subscription waits in ioredis's queue and is made when Redis is back.
		const subscribed = sub.subscribe(docChannel(key)).then(
			() => undefined,
			() => undefined
		);
		let timer: ReturnType<typeof setTimeout> | undefined;
		await Promise.race([
			subscribed,
			new Promise<void>((resolve) => (timer = setTimeout(resolve, watchWaitMs)))
		]);
		clearTimeout(timer);
	}
	function unwatch(key: DocKey): void {
		if (!watched.delete(key)) return;
		sub.unsubscribe(docChannel(key)).catch(() => {});
	}

	// Start only once both connections work: an instance told to use Redis must not come up
	// silently alone.
	const start = async () => {
		await Promise.all([pub.connect(), sub.connect()]);
		await sub.subscribe(channel);
	};
	await start().catch((error: unknown) => {
		pub.disconnect();
		sub.disconnect();
		throw new Error(
			`cannot reach Redis at REDIS_URL (${error instanceof Error ? error.message : String(error)})`
		);
	});
	up = { pub: pub.status === 'ready', sub: sub.status === 'ready' };

	return {
		publish,
		watch,
		unwatch,
		onMessage: (handler) => void handlers.push(handler),
		onRecovered: (handler) => void recovered.push(handler),
		status: (): RelayStatus => (up.pub && up.sub ? 'ok' : 'down'),
		async close() {
			pub.disconnect();
			sub.disconnect();
		}
	};
}
