import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { describe, expect, it } from 'vitest';
import { messageType } from '../../src/lib/core/sync-protocol.js';
import { decodeFrame, FrameError } from './frames.js';
import { seeded as prng } from '../../tests/lib/seeded.js';

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}

describe('[SY20] decoding client frames', () => {
	it('[SY20] accepts what y-protocols clients send', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'hi');
		const awareness = new awarenessProtocol.Awareness(doc);
		awareness.setLocalState({ user: 'me' });
		const kinds = [
			frame((e) => {
				encoding.writeVarUint(e, messageType.sync);
				encoding.writeVarUint(e, 0);
				encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
			}),
			frame((e) => {
				encoding.writeVarUint(e, messageType.sync);
				encoding.writeVarUint(e, 1);
				encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
			}),
			frame((e) => {
				encoding.writeVarUint(e, messageType.awareness);
				encoding.writeVarUint8Array(
					e,
					awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID])
				);
			}),
			frame((e) => encoding.writeVarUint(e, messageType.queryAwareness))
		].map((f) => decodeFrame(f, 64 * 1024).kind);
		expect(kinds).toEqual(['step1', 'update', 'awareness', 'query-awareness']);
		awareness.destroy();
	});

	it('[SY20] refuses unknown types, trailing bytes, bad JSON and oversized awareness', () => {
		const bad = [
			new Uint8Array([]),
			new Uint8Array([messageType.stored, 1]),
			new Uint8Array([messageType.auth, 0]),
			new Uint8Array([0, 3, 0]),
			new Uint8Array([0, 0, 0, 9]),
			frame((e) => {
				encoding.writeVarUint(e, messageType.awareness);
				const inner = encoding.createEncoder();
				encoding.writeVarUint(inner, 1);
				encoding.writeVarUint(inner, 1);
				encoding.writeVarUint(inner, 1);
				encoding.writeVarString(inner, '{not json');
				encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
			}),
			frame((e) => {
				encoding.writeVarUint(e, messageType.awareness);
				encoding.writeVarUint8Array(e, new Uint8Array(100));
			})
		];
		for (const bytes of bad) expect(() => decodeFrame(bytes, 50)).toThrow(FrameError);
	});

	it('[SY22] seeded random and mutated frames only ever throw FrameError, quickly', () => {
		const seed = 7;
		const random = prng(seed);
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'seed text');
		doc.getMap('m').set('k', [1, 2, 3]);
		const valid = frame((e) => {
			encoding.writeVarUint(e, messageType.sync);
			encoding.writeVarUint(e, 2);
			encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
		});
		const started = Date.now();
		for (let i = 0; i < 5000; i++) {
			const bytes =
				i % 2 === 0
					? new Uint8Array(1 + Math.floor(random() * 80)).map(() => random() * 256)
					: valid.map((b) => (random() < 0.05 ? random() * 256 : b));
			if (i % 2 === 0) bytes[0] = Math.floor(random() * 4);
			try {
				decodeFrame(bytes, 64 * 1024);
			} catch (error) {
				expect(
					error,
					`seed ${seed}, frame ${i}: ${Buffer.from(bytes).toString('hex')}`
				).toBeInstanceOf(FrameError);
			}
		}
		expect(Date.now() - started).toBeLessThan(5000);
	});
});
