import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { decodeFrame, encodeFrame, type SyncFrame } from '../core/sync-codec.js';

/** The provider's view of the shared codec (`core/sync-codec.ts`): frames from the server. */
export type ServerFrame = SyncFrame;

/** Decodes a frame from the server; throws FrameError on bytes it cannot read. */
export const decodeServerFrame = (data: Uint8Array): ServerFrame =>
	decodeFrame(data, { from: 'server', checkPayloads: false });

export const step1Frame = (doc: Y.Doc) =>
	encodeFrame({ kind: 'step1', stateVector: Y.encodeStateVector(doc) });

export const step2Frame = (doc: Y.Doc, stateVector: Uint8Array) =>
	encodeFrame({ kind: 'step2', update: Y.encodeStateAsUpdate(doc, stateVector) });

export const updateFrame = (update: Uint8Array) => encodeFrame({ kind: 'update', update });

export const awarenessFrame = (awareness: awarenessProtocol.Awareness, clients: number[]) =>
	encodeFrame({
		kind: 'awareness',
		update: awarenessProtocol.encodeAwarenessUpdate(awareness, clients)
	});
