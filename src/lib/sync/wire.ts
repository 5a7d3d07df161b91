import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { messageType } from '../core/sync-protocol.js';

/** y-protocols sync sub-types. */
const step = { step1: 0, step2: 1, update: 2 } as const;

export type ServerFrame =
	| { kind: 'step1'; stateVector: Uint8Array }
	| { kind: 'step2' | 'update'; update: Uint8Array }
	| { kind: 'awareness'; update: Uint8Array }
	| { kind: 'query-awareness' }
	| { kind: 'stored'; count: number }
	| { kind: 'auth' };

/** Decodes a frame from the server; throws on bytes it cannot read. */
export function decodeServerFrame(data: Uint8Array): ServerFrame {
	const decoder = decoding.createDecoder(data);
	const type = decoding.readVarUint(decoder);
	switch (type) {
		case messageType.sync: {
			const sub = decoding.readVarUint(decoder);
			const payload = decoding.readVarUint8Array(decoder);
			if (sub === step.step1) return { kind: 'step1', stateVector: payload };
			if (sub === step.step2) return { kind: 'step2', update: payload };
			if (sub === step.update) return { kind: 'update', update: payload };
			throw new Error(`unknown sync step ${sub}`);
		}
		case messageType.awareness:
			return { kind: 'awareness', update: decoding.readVarUint8Array(decoder) };
		case messageType.queryAwareness:
			return { kind: 'query-awareness' };
		case messageType.stored:
			return { kind: 'stored', count: decoding.readVarUint(decoder) };
		case messageType.auth:
			return { kind: 'auth' };
		default:
			throw new Error(`unknown message type ${type}`);
	}
}

function syncFrame(sub: number, payload: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageType.sync);
	encoding.writeVarUint(encoder, sub);
	encoding.writeVarUint8Array(encoder, payload);
	return encoding.toUint8Array(encoder);
}

export const step1Frame = (doc: Y.Doc) => syncFrame(step.step1, Y.encodeStateVector(doc));

export const step2Frame = (doc: Y.Doc, stateVector: Uint8Array) =>
	syncFrame(step.step2, Y.encodeStateAsUpdate(doc, stateVector));

export const updateFrame = (update: Uint8Array) => syncFrame(step.update, update);

export function awarenessFrame(awareness: awarenessProtocol.Awareness, clients: number[]) {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageType.awareness);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}
