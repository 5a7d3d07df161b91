import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/*
 * What a peer lacks of a document, as several updates (v1), each encoded only when asked for.
 *
 * `Y.encodeStateAsUpdate` writes all of it in one call: for a session imported from a 100 MB
 * transcript, a device's first sync step 2 froze the page for seconds. Here each part is a
 * bounded piece of work (at most `maxStructs` structs and about `maxBytes` bytes), so the caller
 * can let the page paint between parts. Applied in order, the parts mean what the whole update
 * means: every struct the peer lacks, per client in clock order (the higher client ids first, as
 * Yjs writes them), and the document's delete set with the last part.
 *
 * The struct store is read directly (`doc.store.clients`, each struct's own `write`), as Yjs's
 * `writeStructs` does; ranges are fixed by clock when the walk starts, so a struct split by an
 * edit made between two parts is still found by its clock. What was added after the walk began
 * reaches the peer as the update it was.
 */

type Struct = Y.Item | Y.GC;

interface Range {
	client: number;
	/** Next clock to write. */
	clock: number;
	/** Clock the walk stops at (the client's state when it began). */
	end: number;
}

export function* stateAsUpdateParts(
	doc: Y.Doc,
	stateVector: Uint8Array,
	maxBytes: number,
	maxStructs: number
): Generator<Uint8Array> {
	const theirs = Y.decodeStateVector(stateVector);
	const ranges: Range[] = [];
	for (const [client, structs] of doc.store.clients) {
		const last = structs[structs.length - 1];
		if (!last) continue;
		const end = last.id.clock + last.length;
		const clock = Math.max(theirs.get(client) ?? 0, structs[0]!.id.clock);
		if (clock < end) ranges.push({ client, clock, end });
	}
	ranges.sort((a, b) => b.client - a.client);

	let next = 0;
	do {
		const runs: Uint8Array[] = [];
		let bytes = 0;
		let structCount = 0;
		while (next < ranges.length && structCount < maxStructs && bytes < maxBytes) {
			const range = ranges[next]!;
			const run = writeRun(doc, range, maxStructs - structCount, maxBytes - bytes);
			runs.push(run.bytes);
			bytes += run.bytes.byteLength;
			structCount += run.structs;
			if (range.clock >= range.end) next++;
		}
		const done = next >= ranges.length;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, runs.length);
		for (const run of runs) encoding.writeUint8Array(encoder, run);
		if (done) {
			// The delete set as it is now: an update that holds no structs, only deletions.
			const deletions = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc));
			// It starts with its (zero) count of clients: the rest is the delete set.
			encoding.writeUint8Array(encoder, deletions.subarray(1));
		} else {
			encoding.writeVarUint(encoder, 0);
		}
		yield encoding.toUint8Array(encoder);
		if (done) return;
	} while (true);
}

/**
 * One client's structs from `range.clock`, as many as the budgets allow (at least one), with the
 * run's header; moves `range.clock` past what it wrote.
 */
function writeRun(
	doc: Y.Doc,
	range: Range,
	maxStructs: number,
	maxBytes: number
): { bytes: Uint8Array; structs: number } {
	const structs = doc.store.clients.get(range.client)!;
	const start = range.clock;
	const body = new Y.UpdateEncoderV1();
	let index = findIndex(structs, start);
	let count = 0;
	let clock = start;
	while (index < structs.length && clock < range.end) {
		const struct = structs[index]!;
		struct.write(body, clock - struct.id.clock);
		clock = struct.id.clock + struct.length;
		index++;
		count++;
		if (count >= maxStructs || encoding.length(body.restEncoder) >= maxBytes) break;
	}
	range.clock = clock;
	const run = encoding.createEncoder();
	encoding.writeVarUint(run, count);
	encoding.writeVarUint(run, range.client);
	encoding.writeVarUint(run, start);
	encoding.writeUint8Array(run, encoding.toUint8Array(body.restEncoder));
	return { bytes: encoding.toUint8Array(run), structs: count };
}

/** The index of the struct that holds `clock` (structs are sorted by clock, without gaps). */
function findIndex(structs: Struct[], clock: number): number {
	let low = 0;
	let high = structs.length - 1;
	while (low <= high) {
		const mid = (low + high) >> 1;
		const struct = structs[mid]!;
		if (clock < struct.id.clock) high = mid - 1;
		else if (clock >= struct.id.clock + struct.length) low = mid + 1;
		else return mid;
	}
	throw new Error(`no struct holds clock ${clock}`);
}
