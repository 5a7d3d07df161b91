import type { MessageRow, Usage } from './rows.js';

/** From this percent of the window on, the meter warns that the context is almost full. */
export const warnPercent = 80;

/** How full a session's context is, against its model's window. */
export interface ContextUse {
	/** Tokens the next request would carry (measured, plus an estimate of what is new). */
	used: number;
	/** The model's context window (`maxInputTokens`). */
	window: number;
	/** Whole percent of the window, rounded down (80 shows when the warning does); may pass 100. */
	percent: number;
	/** At or past `warnPercent` of the window. */
	warning: boolean;
}

/** Every token of a request and its answer: what the next request carries again. */
export const contextTokens = (u: Usage) => u.input + u.cacheRead + u.cacheWrite + u.output;

/**
 * A rough token count for text the API has not measured: about four characters a token,
 * counted in code points so a surrogate pair is one character, never two halves.
 */
export function estimateTokens(text: string): number {
	let chars = 0;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		// A high surrogate followed by a low one is one code point: skip the low half.
		if (unit >= 0xd800 && unit <= 0xdbff) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) i++;
		}
		chars++;
	}
	return Math.ceil(chars / 4);
}

/**
 * The tokens a session uses: the last finished answer's usage (everything its request carried
 * plus what it wrote), and an estimate of the messages written after it. Without a finished
 * answer, every message is estimated. `messages` are in conversation order.
 */
export function sessionTokens(messages: readonly MessageRow[]): number {
	let measured = 0;
	let after = 0;
	for (let i = messages.length - 1; i >= 0; i--) {
		const m = messages[i];
		if (m?.role === 'assistant' && m.status !== 'streaming' && m.usage) {
			measured = contextTokens(m.usage);
			if (measured > 0) {
				after = i + 1;
				break;
			}
		}
	}
	let estimated = 0;
	for (const m of messages.slice(after)) estimated += estimateTokens(m.text);
	return measured + estimated;
}

/** The meter's figures, or undefined when the model's window is unknown. */
export function contextUse(
	messages: readonly MessageRow[],
	window: number | null | undefined
): ContextUse | undefined {
	if (!window || window <= 0 || !Number.isFinite(window)) return undefined;
	const used = sessionTokens(messages);
	return {
		used,
		window,
		percent: Math.floor((used * 100) / window),
		warning: used * 100 >= window * warnPercent
	};
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** "12% of 200K": the meter's visible text. */
export const describeContextUse = (use: ContextUse) =>
	`${use.percent}% of ${compact.format(use.window)}`;
