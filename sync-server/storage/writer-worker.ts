/**
 * The writer thread: one SQLite connection that makes every change to the document tables, so
 * commits (and their fsync) happen off the thread that relays updates. Requests arrive in order
 * and are answered in order, each with its request id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabaseFile } from './database.js';
import { createWriter, type WriteOp } from './writer.js';

export interface WriterRequest {
	id: number;
	op: WriteOp;
}

export type WriterReply =
	| { id: number; ok: true; result: ReturnType<ReturnType<typeof createWriter>['run']> }
	| { id: number; ok: false; error: string }
	| { id: -1; ok: true; ready: true };

const port = parentPort;
if (!port) throw new Error('writer-worker runs as a worker thread');

const db = openDatabaseFile((workerData as { file: string }).file);
const writer = createWriter(db);

port.on('message', (request: WriterRequest | 'close') => {
	if (request === 'close') {
		db.close();
		port.close();
		return;
	}
	let reply: WriterReply;
	try {
		reply = { id: request.id, ok: true, result: writer.run(request.op) };
	} catch (error) {
		reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : 'failed' };
	}
	port.postMessage(reply);
});
port.postMessage({ id: -1, ok: true, ready: true } satisfies WriterReply);
