/**
 * Seeded frames for the sync endpoint's fuzzer: valid frames of a session being written, the
 * same mutated, truncated, spliced, random bytes, random payloads in a valid envelope, text
 * frames, and rare frames of megabytes (within the limit, and just over it).
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { encodeFrame } from '../../../src/lib/core/sync-codec.js';
import { maxMessageBytes } from '../../../src/lib/core/sync-protocol.js';
import { operate } from './converge.js';
import { randomText } from './unicode.js';

export type FuzzFrame = { kind: string; data: Uint8Array | string };

/** Random bytes shared by every generator: large frames are views into it, not new buffers. */
let pool: Uint8Array | undefined;
function randomPool(random: () => number): Uint8Array {
	if (!pool) {
		pool = new Uint8Array(maxMessageBytes + 8192);
		for (let i = 0; i < pool.length; i += 4) {
			const word = Math.floor(random() * 2 ** 32);
			pool[i] = word & 0xff;
			pool[i + 1] = (word >>> 8) & 0xff;
			pool[i + 2] = (word >>> 16) & 0xff;
			pool[i + 3] = word >>> 24;
		}
	}
	return pool;
}

export class FrameGenerator {
	readonly #random: () => number;
	readonly #doc = new Y.Doc();
	readonly #awareness: awarenessProtocol.Awareness;
	/** Recent valid frames, the material for mutations. */
	readonly #corpus: Uint8Array[] = [];
	#updates: Uint8Array[] = [];
	#step = 0;

	constructor(random: () => number) {
		this.#random = random;
		this.#awareness = new awarenessProtocol.Awareness(this.#doc);
		this.#doc.on('update', (update: Uint8Array) => this.#updates.push(update));
		randomPool(random);
	}

	destroy(): void {
		this.#awareness.destroy();
		this.#doc.destroy();
	}

	next(): FuzzFrame {
		const roll = this.#random() * 100;
		if (roll < 0.02) return this.#overLimit();
		if (roll < 0.1) return this.#large();
		if (roll < 22) return { kind: 'valid', data: this.#remember(this.#valid()) };
		if (roll < 62) return { kind: 'mutated', data: this.#mutate(this.#pick()) };
		if (roll < 72) {
			const frame = this.#pick();
			return { kind: 'truncated', data: frame.slice(0, this.#int(frame.length)) };
		}
		if (roll < 84) return { kind: 'random', data: this.#bytes(this.#int(300)) };
		if (roll < 96) return { kind: 'envelope', data: this.#envelope(this.#bytes(this.#int(400))) };
		if (roll < 98) return { kind: 'text', data: randomText(this.#random) };
		if (roll < 99) return { kind: 'empty', data: new Uint8Array(0) };
		return { kind: 'spliced', data: this.#splice(this.#pick(), this.#pick()) };
	}

	/** A frame the server should take: an edit, a step 1 or 2, presence, or a presence query. */
	#valid(): Uint8Array {
		const roll = this.#random();
		if (roll < 0.55 || this.#step === 0) {
			this.#updates = [];
			operate(this.#doc, this.#random, this.#step++);
			const update = Y.mergeUpdates(this.#updates);
			return encodeFrame({ kind: 'update', update });
		}
		if (roll < 0.65)
			return encodeFrame({ kind: 'step2', update: Y.encodeStateAsUpdate(this.#doc) });
		if (roll < 0.8)
			return encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(this.#doc) });
		if (roll < 0.95) {
			this.#awareness.setLocalState({ name: randomText(this.#random), at: this.#step });
			return encodeFrame({
				kind: 'awareness',
				update: awarenessProtocol.encodeAwarenessUpdate(this.#awareness, [this.#doc.clientID])
			});
		}
		return encodeFrame({ kind: 'query-awareness' });
	}

	#remember(frame: Uint8Array): Uint8Array {
		this.#corpus.push(frame);
		if (this.#corpus.length > 64) this.#corpus.shift();
		return frame;
	}

	#pick(): Uint8Array {
		if (this.#corpus.length === 0) return this.#remember(this.#valid());
		return this.#corpus[this.#int(this.#corpus.length)]!;
	}

	#mutate(frame: Uint8Array): Uint8Array {
		const bytes = Uint8Array.from(frame);
		const roll = this.#random();
		if (bytes.length === 0) return this.#bytes(1 + this.#int(8));
		if (roll < 0.3) {
			for (let n = 1 + this.#int(4); n > 0; n--)
				bytes[this.#int(bytes.length)]! ^= 1 << this.#int(8);
			return bytes;
		}
		if (roll < 0.5) {
			for (let n = 1 + this.#int(8); n > 0; n--) bytes[this.#int(bytes.length)] = this.#int(256);
			return bytes;
		}
		if (roll < 0.65) return this.#insert(bytes, this.#bytes(1 + this.#int(16)));
		if (roll < 0.75) {
			// Huge varints: lengths and counts that claim gigabytes.
			const huge = Uint8Array.from({ length: 5 + this.#int(6) }, () => 0x80 | this.#int(128));
			return this.#insert(bytes, huge);
		}
		if (roll < 0.85) {
			const at = this.#int(bytes.length);
			return Uint8Array.from([...bytes.slice(0, at), ...bytes.slice(at + 1 + this.#int(16))]);
		}
		if (roll < 0.95) return Uint8Array.from([...bytes, ...this.#bytes(1 + this.#int(32))]);
		bytes[0] = this.#int(256);
		return bytes;
	}

	#insert(bytes: Uint8Array, part: Uint8Array): Uint8Array {
		const at = this.#int(bytes.length + 1);
		return Uint8Array.from([...bytes.slice(0, at), ...part, ...bytes.slice(at)]);
	}

	#splice(a: Uint8Array, b: Uint8Array): Uint8Array {
		return Uint8Array.from([
			...a.slice(0, this.#int(a.length + 1)),
			...b.slice(this.#int(b.length))
		]);
	}

	/** A sync or awareness header around a payload of the given bytes. */
	#envelope(payload: Uint8Array): Uint8Array {
		const roll = this.#random();
		if (roll < 0.75) {
			const step = this.#int(4);
			const kind = step === 0 ? 'step1' : step === 1 ? 'step2' : 'update';
			if (step === 3) {
				// An unknown sync step: build it by hand, the codec cannot.
				return Uint8Array.from([
					0,
					3,
					...encodeFrame({ kind: 'update', update: payload }).slice(2)
				]);
			}
			return kind === 'step1'
				? encodeFrame({ kind, stateVector: payload })
				: encodeFrame({ kind, update: payload });
		}
		return encodeFrame({ kind: 'awareness', update: payload });
	}

	/** 64 KiB to the frame limit: random bytes, or random bytes as an update. */
	#large(): FuzzFrame {
		const length = 64 * 1024 + this.#int(maxMessageBytes - 64 * 1024 - 16);
		if (this.#random() < 0.5) return { kind: 'large', data: this.#bytes(length) };
		return { kind: 'large', data: this.#envelope(this.#bytes(length)) };
	}

	#overLimit(): FuzzFrame {
		return { kind: 'over-limit', data: this.#bytes(maxMessageBytes + 1 + this.#int(4096)) };
	}

	/** A view into the random pool: cheap for any length. */
	#bytes(length: number): Uint8Array {
		const from = this.#int(pool!.length - length + 1);
		return pool!.subarray(from, from + length);
	}

	#int(below: number): number {
		return Math.floor(this.#random() * below);
	}
}
