import * as decoding from 'lib0/decoding';

/*
 * What one Yjs update (v1 encoding) contains, counted by walking its bytes with lib0 alone: no
 * struct objects, no strings decoded, no JSON parsed. The walk stops at the first count over its
 * limit, so refusing a hostile update (a Y.Map with 590,000 keys in 8 MB) costs at most the
 * limit's worth of work instead of a whole decode, diff and apply on the one event loop [HD1].
 * The walk mirrors Yjs's `readClientsStructRefs` and `readDeleteSet` for UpdateDecoderV1.
 */

export interface UpdateLimits {
	/** Structs (items, GC and skip runs) in one update. */
	maxStructs: number;
	/** Values inside item contents (JSON and Any elements, nested object and array members). */
	maxValues: number;
	/** Delete-set ranges in one update. */
	maxDeleteRanges: number;
	/** Nesting of objects and arrays inside one Any value. */
	maxDepth: number;
}

// A device's first sync of a session it made offline or imported would be one update (a
// transcript of 2,000 exchanges is about 30,000 structs), but devices send it in parts of at most
// 20,000 structs (sync/wire.ts, [SY67]): so one frame costs the server a short stall (about
// 80 ms for 20,000 map keys on a quiet 2-core machine) however big the session.
export const defaultUpdateLimits: UpdateLimits = {
	maxStructs: 25_000,
	maxValues: 400_000,
	maxDeleteRanges: 40_000,
	maxDepth: 32
};

export interface UpdateShape {
	structs: number;
	values: number;
	deleteRanges: number;
	/** Total deleted length per client id: what the delete set may make the document scan. */
	deletedByClient: Map<number, number>;
}

/** The update is over one of its limits. */
export class UpdateLimitError extends Error {
	constructor(readonly limit: keyof UpdateLimits) {
		super(`update over its limit (${limit})`);
	}
}

/** The bytes are not a Yjs v1 update. */
export class UpdateShapeError extends Error {}

/**
 * Where each struct lies in the update's bytes, for `split-update.ts`. `length` is how many clock
 * ticks the struct takes (a string's UTF-16 length, a JSON or Any item's element count), which
 * costs decoding strings: only a walk with a visitor pays it.
 */
export interface StructVisitor {
	group(client: number, clock: number): void;
	struct(start: number, end: number, length: number): void;
	deleteSet(start: number): void;
}

const bits5 = 31;
const bit6 = 32;
const bit7 = 64;
const bit8 = 128;
const xmlElementRef = 3;
const xmlHookRef = 5;
const maxTypeRef = 6;

/** Counts what `update` contains; throws UpdateLimitError or UpdateShapeError. */
export function measureUpdate(
	update: Uint8Array,
	limits: UpdateLimits = defaultUpdateLimits,
	visitor?: StructVisitor
): UpdateShape {
	const decoder = decoding.createDecoder(update);
	const shape: UpdateShape = {
		structs: 0,
		values: 0,
		deleteRanges: 0,
		deletedByClient: new Map()
	};
	const countValues = (n: number) => {
		shape.values += n;
		if (shape.values > limits.maxValues) throw new UpdateLimitError('maxValues');
	};
	const skipAny = (depth: number): void => {
		if (depth > limits.maxDepth) throw new UpdateLimitError('maxDepth');
		countValues(1);
		const tag = decoding.readUint8(decoder);
		switch (tag) {
			case 127: // undefined
			case 126: // null
			case 121: // false
			case 120: // true
				return;
			case 125:
				decoding.readVarInt(decoder);
				return;
			case 124:
				skip(decoder, 4);
				return;
			case 123:
			case 122:
				skip(decoder, 8);
				return;
			case 119:
				skipVarBytes(decoder);
				return;
			case 118: {
				const n = decoding.readVarUint(decoder);
				for (let i = 0; i < n; i++) {
					skipVarBytes(decoder);
					skipAny(depth + 1);
				}
				return;
			}
			case 117: {
				const n = decoding.readVarUint(decoder);
				for (let i = 0; i < n; i++) skipAny(depth + 1);
				return;
			}
			case 116:
				skipVarBytes(decoder);
				return;
			default:
				throw new UpdateShapeError(`unknown value tag ${tag}`);
		}
	};
	/** Skips an item's content; returns its length in clock ticks. */
	const skipContent = (ref: number): number => {
		switch (ref) {
			case 1: // deleted
				return decoding.readVarUint(decoder);
			case 2: {
				// JSON: a count of JSON strings
				const n = decoding.readVarUint(decoder);
				countValues(n);
				for (let i = 0; i < n; i++) skipVarBytes(decoder);
				return n;
			}
			case 4: // string: its length counts UTF-16 units, known only once decoded
				if (visitor) return decoding.readVarString(decoder).length;
				skipVarBytes(decoder);
				return 1;
			case 3: // binary
			case 5: // embed (JSON string)
				skipVarBytes(decoder);
				return 1;
			case 6: // format: key and JSON string
				skipVarBytes(decoder);
				skipVarBytes(decoder);
				return 1;
			case 7: {
				const typeRef = decoding.readVarUint(decoder);
				if (typeRef > maxTypeRef) throw new UpdateShapeError(`unknown type ${typeRef}`);
				if (typeRef === xmlElementRef || typeRef === xmlHookRef) skipVarBytes(decoder);
				return 1;
			}
			case 8: {
				const n = decoding.readVarUint(decoder);
				for (let i = 0; i < n; i++) skipAny(0);
				return n;
			}
			case 9: // subdocument: guid and options
				skipVarBytes(decoder);
				skipAny(0);
				return 1;
			default:
				throw new UpdateShapeError(`unknown content ${ref}`);
		}
	};
	try {
		const clients = decoding.readVarUint(decoder);
		for (let c = 0; c < clients; c++) {
			const structs = decoding.readVarUint(decoder);
			// Checked before walking them: a header that promises too many is refused at once.
			if (shape.structs + structs > limits.maxStructs) throw new UpdateLimitError('maxStructs');
			shape.structs += structs;
			const client = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			visitor?.group(client, clock);
			for (let i = 0; i < structs; i++) {
				const start = decoder.pos;
				const info = decoding.readUint8(decoder);
				const ref = info & bits5;
				let length: number;
				if (ref === 0 || ref === 10) {
					length = decoding.readVarUint(decoder); // GC or skip length
				} else {
					if (info & bit8) skipId(decoder);
					if (info & bit7) skipId(decoder);
					if ((info & (bit7 | bit8)) === 0) {
						// The parent: a root type's name or the id of the item that holds it.
						if (decoding.readVarUint(decoder) === 1) skipVarBytes(decoder);
						else skipId(decoder);
						if (info & bit6) skipVarBytes(decoder); // the map key
					}
					length = skipContent(ref);
				}
				visitor?.struct(start, decoder.pos, length);
			}
		}
		visitor?.deleteSet(decoder.pos);
		const dsClients = decoding.readVarUint(decoder);
		for (let c = 0; c < dsClients; c++) {
			const client = decoding.readVarUint(decoder);
			const ranges = decoding.readVarUint(decoder);
			if (shape.deleteRanges + ranges > limits.maxDeleteRanges)
				throw new UpdateLimitError('maxDeleteRanges');
			shape.deleteRanges += ranges;
			let deleted = shape.deletedByClient.get(client) ?? 0;
			for (let i = 0; i < ranges; i++) {
				decoding.readVarUint(decoder); // clock
				deleted += decoding.readVarUint(decoder);
			}
			shape.deletedByClient.set(client, deleted);
		}
	} catch (error) {
		if (error instanceof UpdateLimitError || error instanceof UpdateShapeError) throw error;
		// lib0 throws plain errors when the bytes end early.
		throw new UpdateShapeError('update ends early');
	}
	if (decoding.hasContent(decoder)) throw new UpdateShapeError('trailing bytes after the update');
	return shape;
}

function skip(decoder: decoding.Decoder, n: number): void {
	if (decoder.pos + n > decoder.arr.length) throw new UpdateShapeError('update ends early');
	decoder.pos += n;
}

/** Skips a varUint length and that many bytes, without decoding them as text. */
function skipVarBytes(decoder: decoding.Decoder): void {
	skip(decoder, decoding.readVarUint(decoder));
}

function skipId(decoder: decoding.Decoder): void {
	decoding.readVarUint(decoder);
	decoding.readVarUint(decoder);
}
