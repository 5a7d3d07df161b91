import type * as Y from 'yjs';
import * as answers from '../../src/lib/core/answers.js';
import type { Usage } from '../../src/lib/core/rows.js';
import type { HeldDoc } from './docs.js';

type Op = (answer: Y.Map<unknown>, doc: Y.Doc) => void;

/**
 * Writes a streaming answer into the session document in batches: what arrives within
 * `intervalMs` becomes one change (one update, relayed and stored once), not one per token. The
 * first piece after a quiet spell goes out at once (after the current burst of events), so the
 * first token is not held back by the batching.
 */
export class AnswerWriter {
	readonly #held: HeldDoc;
	readonly #answerId: string;
	readonly #intervalMs: number;
	#ops: Op[] = [];
	/** Text arriving for the block the last op appended to, merged into that op. */
	#tail: { index: number; text: string } | undefined;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#lastFlush = -Infinity;
	/** Positions in the answer's blocks, by the API's content block index. */
	readonly #blocks = new Map<number, number>();
	#nextBlock = 0;
	/** The last write in flight: the next waits for it, so changes are stored in order. */
	#writing: Promise<void> = Promise.resolve();
	#failed: unknown;

	constructor(held: HeldDoc, answerId: string, intervalMs = 40) {
		this.#held = held;
		this.#answerId = answerId;
		this.#intervalMs = intervalMs;
	}

	startBlock(index: number, block: answers.NewBlock): void {
		this.#blocks.set(index, this.#nextBlock++);
		this.#push((answer) => answers.addBlock(answer, block));
	}

	appendText(index: number, text: string): void {
		if (text.length === 0) return;
		if (this.#tail?.index === index) {
			this.#tail.text += text;
			return;
		}
		const tail = { index, text };
		this.#tail = tail;
		this.#push((answer) => {
			const block = this.#block(answer, index);
			const ytext = block && answers.blockText(block);
			ytext?.insert(ytext.length, tail.text);
		});
	}

	setBlockField(index: number, field: string, value: unknown): void {
		this.#push((answer) => this.#block(answer, index)?.set(field, value));
	}

	setUsage(usage: Usage): void {
		this.#push((answer) => answer.set('usage', usage));
	}

	setNotice(notice: string | undefined): void {
		this.#push((answer) => answers.setNotice(answer, notice));
		void this.flush();
	}

	/** Any change to the answer, in order with the streamed ones. */
	change(op: Op): void {
		this.#push(op);
	}

	/** Writes what is queued now; resolves once it (and everything before) is stored. */
	flush(): Promise<void> {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#lastFlush = performance.now();
		const ops = this.#ops;
		this.#ops = [];
		this.#tail = undefined;
		if (ops.length > 0) {
			this.#writing = this.#writing.then(() => {
				// Once a write failed, later ones would leave a hole in the stored answer: the run
				// ends instead, and is marked as cut short where storage stopped ([RN15]).
				if (this.#failed !== undefined) return;
				return this.#held
					.change((doc) => {
						const answer = answers.findMessage(doc, this.#answerId);
						if (!answer) return;
						doc.transact(() => {
							for (const op of ops) op(answer, doc);
						});
					})
					.catch((error: unknown) => {
						this.#failed ??= error;
					});
			});
		}
		return this.#writing;
	}

	/** Ends the answer: the last text, then how it ended, in one stored change. */
	async finish(end: answers.AnswerEnd, also?: (doc: Y.Doc) => void): Promise<void> {
		this.#push((answer, doc) => {
			answers.finishAnswer(answer, end);
			also?.(doc);
		});
		await this.flush();
		if (this.#failed) throw this.#failed;
	}

	/** The block at the API's index as the document holds it now (after a flush). */
	blockAt(index: number): Y.Map<unknown> | undefined {
		const answer = answers.findMessage(this.#held.doc, this.#answerId);
		return answer && this.#block(answer, index);
	}

	#push(op: Op): void {
		this.#ops.push(op);
		if (op !== this.#ops[0] || this.#timer) return;
		const wait = Math.max(0, this.#lastFlush + this.#intervalMs - performance.now());
		this.#timer = setTimeout(() => void this.flush(), wait);
	}

	#block(answer: Y.Map<unknown>, index: number): Y.Map<unknown> | undefined {
		const position = this.#blocks.get(index);
		return position === undefined ? undefined : answers.blocksOf(answer).get(position);
	}
}
