import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { splitUpdate } from '../core/split-update.js';
import { stateAsUpdateParts } from '../core/state-parts.js';
import { decodeFrame, encodeFrame, type SyncFrame } from '../core/sync-codec.js';

/**
 * Updates over this size go as several frames [SY67]: far under the server's frame limit, so
 * that a big first sync (an imported transcript) is many bounded pieces of work there.
 */
export const updatePartBytes = 1024 * 1024;

/**
 * And over this many structs: each frame then costs the server a bounded stall to apply, which
 * lets it refuse more than `defaultUpdateLimits.maxStructs` in one frame [HD1].
 */
export const updatePartStructs = 20_000;

/** The provider's view of the shared codec (`core/sync-codec.ts`): frames from the server. */
export type ServerFrame = SyncFrame;

/** Decodes a frame from the server; throws FrameError on bytes it cannot read. */
export const decodeServerFrame = (data: Uint8Array): ServerFrame =>
	decodeFrame(data, { from: 'server', checkPayloads: false });

export const step1Frame = (doc: Y.Doc) =>
	encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(doc) });

/** Sync step 2: what the server lacks, in frames applied in order, each encoded when asked for. */
export function* step2Parts(doc: Y.Doc, stateVector: Uint8Array): Generator<Uint8Array> {
	for (const update of stateAsUpdateParts(doc, stateVector, updatePartBytes, updatePartStructs)) {
		yield encodeFrame({ kind: 'step2', update });
	}
}

/** One local change, in frames applied in order. */
export const updateFrames = (update: Uint8Array) =>
	splitUpdate(update, updatePartBytes, updatePartStructs).map((part) =>
		encodeFrame({ kind: 'update', update: part })
	);

export const awarenessFrame = (awareness: awarenessProtocol.Awareness, clients: number[]) =>
	encodeFrame({
		kind: 'awareness',
		update: awarenessProtocol.encodeAwarenessUpdate(awareness, clients)
	});
