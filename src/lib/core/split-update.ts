import * as encoding from 'lib0/encoding';
import { measureUpdate, type StructVisitor, type UpdateLimits } from './update-shape.js';

/*
 * Splits one Yjs update (v1) into several, each under a byte budget and a struct budget, that
 * together mean the same:
 * applied in order, they leave a document exactly as the whole would. A device's first sync of a
 * session imported from a big transcript is one update far over the server's frame limit; split,
 * it reaches the server a frame at a time, and each frame is a bounded piece of work there.
 *
 * How: the walk of `update-shape.ts` finds where each struct's bytes lie and how many clock ticks
 * it takes. Structs are copied as they are (v1 writes every id whole, never relative to the
 * struct before), in runs per client whose header names the run's first clock; the delete set
 * goes with the last part. A part may hold one struct over the budget: Yjs cannot cut it here.
 */

const noLimits: UpdateLimits = {
	maxStructs: Infinity,
	maxValues: Infinity,
	maxDeleteRanges: Infinity,
	maxDepth: Infinity
};

interface Run {
	client: number;
	clock: number;
	structs: number;
	start: number;
	end: number;
}

/** Room kept in each part for its headers (client count, run headers, empty delete set). */
const headerRoom = 64;

export function splitUpdate(
	update: Uint8Array,
	maxBytes: number,
	maxStructs = Infinity
): Uint8Array[] {
	// Every struct takes at least a byte: an update this small cannot be over either budget.
	if (update.byteLength <= maxBytes && update.byteLength <= maxStructs) return [update];
	const parts: Run[][] = [];
	let part: Run[] = [];
	let partBytes = 0;
	let partStructs = 0;
	let client = 0;
	let clock = 0;
	let deleteSetStart = update.byteLength;
	const flush = () => {
		if (part.length > 0) parts.push(part);
		part = [];
		partBytes = 0;
		partStructs = 0;
	};
	const visitor: StructVisitor = {
		group(groupClient, groupClock) {
			client = groupClient;
			clock = groupClock;
		},
		struct(start, end, length) {
			const size = end - start;
			const full =
				partBytes + size > maxBytes - headerRoom * (part.length + 1) ||
				partStructs + 1 > maxStructs;
			if (partBytes > 0 && full) flush();
			const run = part.at(-1);
			if (run && run.client === client && run.end === start) {
				run.end = end;
				run.structs++;
			} else {
				part.push({ client, clock, structs: 1, start, end });
			}
			partBytes += size;
			partStructs++;
			clock += length;
		},
		deleteSet(start) {
			deleteSetStart = start;
		}
	};
	measureUpdate(update, noLimits, visitor);
	flush();
	const deleteSet = update.subarray(deleteSetStart);
	const encoded = parts.map((runs, i) =>
		encodePart(update, runs, i === parts.length - 1 ? deleteSet : emptyDeleteSet)
	);
	// Only a delete set (an update of deletions alone), or nothing to split.
	if (encoded.length <= 1) return [update];
	return encoded;
}

const emptyDeleteSet = new Uint8Array([0]);

function encodePart(update: Uint8Array, runs: Run[], deleteSet: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, runs.length);
	for (const run of runs) {
		encoding.writeVarUint(encoder, run.structs);
		encoding.writeVarUint(encoder, run.client);
		encoding.writeVarUint(encoder, run.clock);
		encoding.writeUint8Array(encoder, update.subarray(run.start, run.end));
	}
	encoding.writeUint8Array(encoder, deleteSet);
	return encoding.toUint8Array(encoder);
}
