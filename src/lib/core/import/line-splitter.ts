/**
 * Splits a stream of UTF-8 bytes into lines without ever holding the whole stream: only the line
 * being read is kept, and a line longer than the limit is dropped as it arrives (and counted), so
 * memory stays bounded by the limit whatever the file holds.
 */

export const defaultMaxLineLength = 64 * 1024 * 1024;

export interface LineSplitterOptions {
	/** Longest line kept, in UTF-16 code units (about bytes for ASCII). Default 64 Mi. */
	maxLineLength?: number;
}

export class LineSplitter {
	/** Lines dropped because they were longer than the limit. */
	skippedLongLines = 0;

	private readonly decoder = new TextDecoder('utf-8');
	private readonly maxLineLength: number;
	/** Pieces of the line being read; joined once its newline arrives. */
	private pending: string[] = [];
	private pendingLength = 0;
	/** True while dropping the rest of a line that went over the limit. */
	private discarding = false;

	constructor(options: LineSplitterOptions = {}) {
		this.maxLineLength = options.maxLineLength ?? defaultMaxLineLength;
	}

	/**
	 * The lines this chunk completes. The decoder is streaming, so a character split between two
	 * chunks is decoded whole with the next one; invalid bytes become U+FFFD.
	 */
	push(chunk: Uint8Array): string[] {
		return this.split(this.decoder.decode(chunk, { stream: true }));
	}

	/** The last line, when the stream did not end with a newline. */
	end(): string[] {
		const lines = this.split(this.decoder.decode());
		if (this.discarding) {
			this.discarding = false;
		} else if (this.pendingLength > 0) {
			lines.push(stripCarriageReturn(this.pending.join('')));
		}
		this.pending = [];
		this.pendingLength = 0;
		return lines;
	}

	private split(text: string): string[] {
		const lines: string[] = [];
		let start = 0;
		for (;;) {
			const newline = text.indexOf('\n', start);
			const piece = text.slice(start, newline === -1 ? text.length : newline);
			this.take(piece);
			if (newline === -1) break;
			if (!this.discarding) lines.push(stripCarriageReturn(this.pending.join('')));
			this.pending = [];
			this.pendingLength = 0;
			this.discarding = false;
			start = newline + 1;
		}
		return lines;
	}

	private take(piece: string): void {
		if (this.discarding || piece.length === 0) return;
		if (this.pendingLength + piece.length > this.maxLineLength) {
			this.skippedLongLines++;
			this.discarding = true;
			this.pending = [];
			this.pendingLength = 0;
			return;
		}
		this.pending.push(piece);
		this.pendingLength += piece.length;
	}
}

function stripCarriageReturn(line: string): string {
	return line.endsWith('\r') ? line.slice(0, -1) : line;
}
