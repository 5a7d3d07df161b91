import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { messageType } from '../../src/lib/core/sync-protocol.js';

/** y-protocols sync sub-types (y-protocols/sync: step 1, step 2, update). */
export const syncStep = { step1: 0, step2: 1, update: 2 } as const;

/** An incoming frame, decoded and checked: nothing here can fail to apply for shape reasons. */
export type Frame =
	| { kind: 'step1'; stateVector: Uint8Array }
	| { kind: 'update'; update: Uint8Array }
	| { kind: 'awareness'; update: Uint8Array }
	| { kind: 'query-awareness' };

export class FrameError extends Error {}

/**
 * Decodes one client frame, or throws FrameError. Every payload is fully decoded here (state
 * vector, update structs, awareness JSON) so malformed bytes are refused before anything is stored
 * or applied (R8).
 */
export function decodeFrame(data: Uint8Array, maxAwarenessBytes: number): Frame {
	try {
		const decoder = decoding.createDecoder(data);
		const frame = readFrame(decoder, maxAwarenessBytes);
		if (decoding.hasContent(decoder)) throw new FrameError('trailing bytes after the message');
		return frame;
	} catch (error) {
		if (error instanceof FrameError) throw error;
		throw new FrameError(error instanceof Error ? error.message : 'undecodable message');
	}
}

function readFrame(decoder: decoding.Decoder, maxAwarenessBytes: number): Frame {
	const type = decoding.readVarUint(decoder);
	if (type === messageType.sync) {
		const step = decoding.readVarUint(decoder);
		const payload = decoding.readVarUint8Array(decoder);
		if (step === syncStep.step1) {
			Y.decodeStateVector(payload);
			return { kind: 'step1', stateVector: payload };
		}
		if (step === syncStep.step2 || step === syncStep.update) {
			Y.decodeUpdate(payload);
			return { kind: 'update', update: payload };
		}
		throw new FrameError(`unknown sync step ${step}`);
	}
	if (type === messageType.awareness) {
		const payload = decoding.readVarUint8Array(decoder);
		if (payload.byteLength > maxAwarenessBytes) throw new FrameError('awareness update too large');
		checkAwareness(payload);
		return { kind: 'awareness', update: payload };
	}
	if (type === messageType.queryAwareness) return { kind: 'query-awareness' };
	throw new FrameError(`unknown message type ${type}`);
}

/** Mirrors y-protocols' awareness decoding, so applying it later cannot throw halfway. */
function checkAwareness(update: Uint8Array): void {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	for (let i = 0; i < count; i++) {
		decoding.readVarUint(decoder);
		decoding.readVarUint(decoder);
		JSON.parse(decoding.readVarString(decoder));
	}
	if (decoding.hasContent(decoder)) throw new FrameError('trailing bytes in awareness update');
}
