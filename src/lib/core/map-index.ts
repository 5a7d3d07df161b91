/** One step of a Y.Text change as Yjs reports it (`YTextEvent.delta`). */
export interface TextDeltaStep {
	retain?: number;
	delete?: number;
	insert?: unknown;
}

/**
 * Where a position in a text is after a change made elsewhere: text inserted or deleted before
 * it moves it, text inserted exactly at it goes after it (so what the person types next stays
 * where they were typing), and a position inside deleted text moves to where the deletion was.
 * Positions and lengths are UTF-16 code units, as in a textarea's selection and in Y.Text.
 */
export function mapIndex(index: number, delta: readonly TextDeltaStep[]): number {
	let before = 0;
	let after = 0;
	for (const step of delta) {
		if (step.retain !== undefined) {
			if (before + step.retain >= index) break;
			before += step.retain;
			after += step.retain;
		} else if (step.delete !== undefined) {
			if (before + step.delete >= index) return after;
			before += step.delete;
		} else if (step.insert !== undefined) {
			if (before === index) break;
			after += typeof step.insert === 'string' ? step.insert.length : 1;
		}
	}
	return after + (index - before);
}
