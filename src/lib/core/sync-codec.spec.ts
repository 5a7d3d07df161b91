import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { describe, expect, it } from 'vitest';
import { messageType } from './sync-protocol.js';
import { decodeFrame, encodeFrame, FrameError, type SyncFrame } from './sync-codec.js';
import { seeded as prng } from '../../../tests/lib/seeded.js';

const fromClient = (bytes: Uint8Array, maxAwarenessBytes = 64 * 1024) =>
	decodeFrame(bytes, { from: 'client', checkPayloads: true, maxAwarenessBytes });

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}

describe('[SY20] the sync codec', () => {
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
		].map((f) => fromClient(f).kind);
		expect(kinds).toEqual(['step1', 'step2', 'awareness', 'query-awareness']);
		awareness.destroy();
	});

	it('[SY20] refuses unknown types, trailing bytes, bad JSON and oversized awareness', () => {
		const bad = [
			new Uint8Array([]),
			new Uint8Array([messageType.stored, 1]),
			new Uint8Array([messageType.auth, 0]),
			new Uint8Array([0, 3, 0]),
			new Uint8Array([0, 0, 1, 0, 9]),
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
		const reasons = bad.map((bytes) => {
			try {
				fromClient(bytes, 50);
				return 'accepted';
			} catch (error) {
				expect(error).toBeInstanceOf(FrameError);
				return (error as FrameError).reason;
			}
		});
		expect(reasons).toEqual([
			'undecodable',
			'not-from-this-side',
			'undecodable',
			'unknown-sync-step',
			'trailing-bytes',
			'undecodable',
			'awareness-too-large'
		]);
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
				fromClient(bytes);
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

describe('[SY20] one codec for both directions', () => {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, 'héllo 👋 שלום');
	const frames: SyncFrame[] = [
		{ kind: 'step1', stateVector: Y.encodeStateVector(doc) },
		{ kind: 'step2', update: Y.encodeStateAsUpdate(doc) },
		{ kind: 'update', update: Y.encodeStateAsUpdate(doc) },
		{ kind: 'awareness', update: new Uint8Array([1, 5, 1, 2, 123, 125]) },
		{ kind: 'query-awareness' },
		{ kind: 'stored', count: 300 },
		{ kind: 'auth', reason: 'no' }
	];

	it('[SY20] every frame decodes to itself, from the side that may send it', () => {
		for (const frame of frames) {
			const bytes = encodeFrame(frame);
			expect(decodeFrame(bytes, { from: 'server', checkPayloads: true })).toEqual(frame);
			if (frame.kind === 'stored' || frame.kind === 'auth') {
				expect(() => decodeFrame(bytes, { from: 'client' })).toThrow(FrameError);
			} else expect(decodeFrame(bytes, { from: 'client' })).toEqual(frame);
		}
	});

	it('[SY20] matches y-protocols byte for byte, so the official client understands it', async () => {
		const syncProtocol = await import('y-protocols/sync');
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageType.sync);
		syncProtocol.writeSyncStep1(encoder, doc);
		expect(encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(doc) })).toEqual(
			encoding.toUint8Array(encoder)
		);
		const update = encoding.createEncoder();
		encoding.writeVarUint(update, messageType.sync);
		syncProtocol.writeUpdate(update, Y.encodeStateAsUpdate(doc));
		expect(encodeFrame({ kind: 'update', update: Y.encodeStateAsUpdate(doc) })).toEqual(
			encoding.toUint8Array(update)
		);
	});

	it('[SY20] without payload checks a bad update still fails at apply, not at decode', () => {
		const bytes = encodeFrame({ kind: 'update', update: new Uint8Array([9, 9, 9]) });
		expect(decodeFrame(bytes, { from: 'server', checkPayloads: false }).kind).toBe('update');
		expect(() => decodeFrame(bytes, { from: 'server', checkPayloads: true })).toThrow(FrameError);
	});
});
