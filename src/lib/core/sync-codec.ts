import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { messageType } from './sync-protocol.js';

/**
 * The one codec for sync frames, both directions: the y-websocket protocol (sync, awareness,
 * query-awareness, auth) plus Tether's `stored` acknowledgement. App, server and tests all encode
 * and decode through here, so the wire format is written once.
 */
export type SyncFrame =
	| { kind: 'step1'; stateVector: Uint8Array }
	| { kind: 'step2'; update: Uint8Array }
	| { kind: 'update'; update: Uint8Array }
	| { kind: 'awareness'; update: Uint8Array }
	| { kind: 'query-awareness' }
	/** Server to client: this many of the connection's sync messages (step 2, update) are on disk. */
	| { kind: 'stored'; count: number }
	/** y-protocols' auth message; "permission denied" is the only one it defines. */
	| { kind: 'auth'; reason: string };

export type SyncFrameKind = SyncFrame['kind'];

/** y-protocols sync sub-types (y-protocols/sync: step 1, step 2, update). */
const syncStep = { step1: 0, step2: 1, update: 2 } as const;
const authPermissionDenied = 0;

/** Why a frame was refused; the server closes with 4400 for any of them. */
export type FrameErrorReason =
	| 'unknown-type'
	| 'unknown-sync-step'
	| 'not-from-this-side'
	| 'trailing-bytes'
	| 'undecodable'
	| 'awareness-too-large';

export class FrameError extends Error {
	constructor(
		readonly reason: FrameErrorReason,
		message: string
	) {
		super(message);
		this.name = 'FrameError';
	}
}

export interface DecodeOptions {
	/**
	 * Who sent the frame. A client never sends `stored` or `auth`; frames only the other side may
	 * send are refused as `not-from-this-side`.
	 */
	from: 'client' | 'server';
	/**
	 * Decode every payload in full (update structs, state vector, awareness JSON) so malformed
	 * bytes are refused here, before anything is applied or stored (the server, R8). The app skips
	 * it: applying an update decodes it anyway, and a throw there drops the connection.
	 */
	checkPayloads?: boolean;
	/** Larger awareness updates are refused as `awareness-too-large`. */
	maxAwarenessBytes?: number;
}

const fromServerOnly: ReadonlySet<SyncFrameKind> = new Set(['stored', 'auth']);

export function encodeFrame(frame: SyncFrame): Uint8Array {
	const encoder = encoding.createEncoder();
	switch (frame.kind) {
		case 'step1':
			writeSync(encoder, syncStep.step1, frame.stateVector);
			break;
		case 'step2':
			writeSync(encoder, syncStep.step2, frame.update);
			break;
		case 'update':
			writeSync(encoder, syncStep.update, frame.update);
			break;
		case 'awareness':
			encoding.writeVarUint(encoder, messageType.awareness);
			encoding.writeVarUint8Array(encoder, frame.update);
			break;
		case 'query-awareness':
			encoding.writeVarUint(encoder, messageType.queryAwareness);
			break;
		case 'stored':
			encoding.writeVarUint(encoder, messageType.stored);
			encoding.writeVarUint(encoder, frame.count);
			break;
		case 'auth':
			encoding.writeVarUint(encoder, messageType.auth);
			encoding.writeVarUint(encoder, authPermissionDenied);
			encoding.writeVarString(encoder, frame.reason);
			break;
	}
	return encoding.toUint8Array(encoder);
}

/** Decodes one frame, or throws FrameError (never anything else) saying why not. */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions): SyncFrame {
	let frame: SyncFrame;
	const decoder = decoding.createDecoder(bytes);
	try {
		frame = readFrame(decoder, options);
		if (decoding.hasContent(decoder)) {
			throw new FrameError('trailing-bytes', 'trailing bytes after the message');
		}
	} catch (error) {
		if (error instanceof FrameError) throw error;
		throw new FrameError('undecodable', error instanceof Error ? error.message : 'undecodable');
	}
	if (options.from === 'client' && fromServerOnly.has(frame.kind)) {
		throw new FrameError('not-from-this-side', `a client does not send ${frame.kind} messages`);
	}
	return frame;
}

function writeSync(encoder: encoding.Encoder, step: number, payload: Uint8Array): void {
	encoding.writeVarUint(encoder, messageType.sync);
	encoding.writeVarUint(encoder, step);
	encoding.writeVarUint8Array(encoder, payload);
}

function readFrame(decoder: decoding.Decoder, options: DecodeOptions): SyncFrame {
	const type = decoding.readVarUint(decoder);
	const check = options.checkPayloads ?? true;
	switch (type) {
		case messageType.sync: {
			const step = decoding.readVarUint(decoder);
			const payload = decoding.readVarUint8Array(decoder);
			if (step === syncStep.step1) {
				if (check) Y.decodeStateVector(payload);
				return { kind: 'step1', stateVector: payload };
			}
			if (step === syncStep.step2 || step === syncStep.update) {
				if (check) Y.decodeUpdate(payload);
				return { kind: step === syncStep.step2 ? 'step2' : 'update', update: payload };
			}
			throw new FrameError('unknown-sync-step', `unknown sync step ${step}`);
		}
		case messageType.awareness: {
			const payload = decoding.readVarUint8Array(decoder);
			if (options.maxAwarenessBytes !== undefined && payload.byteLength > options.maxAwarenessBytes)
				throw new FrameError('awareness-too-large', 'awareness update too large');
			if (check) checkAwareness(payload);
			return { kind: 'awareness', update: payload };
		}
		case messageType.queryAwareness:
			return { kind: 'query-awareness' };
		case messageType.stored:
			return { kind: 'stored', count: decoding.readVarUint(decoder) };
		case messageType.auth: {
			const sub = decoding.readVarUint(decoder);
			if (sub !== authPermissionDenied)
				throw new FrameError('unknown-type', `unknown auth message ${sub}`);
			return { kind: 'auth', reason: decoding.readVarString(decoder) };
		}
		default:
			throw new FrameError('unknown-type', `unknown message type ${type}`);
	}
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
	if (decoding.hasContent(decoder)) {
		throw new FrameError('trailing-bytes', 'trailing bytes in the awareness update');
	}
}
