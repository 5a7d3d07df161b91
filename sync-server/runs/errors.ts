import Anthropic from '@anthropic-ai/sdk';
import type { RunError } from '../../src/lib/core/rows.js';

/** Why our side ended a stream: the person pressed Stop, or the API went silent (R19). */
export type AbortReason = 'stop' | 'stall' | 'shutdown';

/**
 * What went wrong with a run, in words a person can act on. Only the status, the API's error
 * type and its retry hint are used: the API's own message text is passed on only for a 400,
 * where it names what in the request was refused.
 */
export function describeRunError(error: unknown): RunError {
	if (error instanceof Anthropic.APIConnectionTimeoutError) {
		return {
			kind: 'timeout',
			message: 'The Anthropic API did not answer in time. Try again.'
		};
	}
	if (error instanceof Anthropic.APIConnectionError) {
		return {
			kind: 'network',
			message: 'Cannot reach the Anthropic API: the server has no network connection to it.'
		};
	}
	if (!(error instanceof Anthropic.APIError)) {
		if (isNetworkError(error)) {
			return { kind: 'network', message: 'The connection to the Anthropic API broke.' };
		}
		return { kind: 'unknown', message: 'The answer stopped because of an unexpected error.' };
	}
	const type =
		error.type ?? (error.error as { error?: { type?: string } } | undefined)?.error?.type;
	const retryAfter = retryAfterSeconds(error.headers);
	switch (error.status) {
		case 400:
			return {
				kind: 'invalid_request',
				message: `The API refused the request: ${error.apiMessage ?? 'invalid request'}.`
			};
		case 401:
			return {
				kind: 'authentication',
				message: 'The API refused this API key (401). Sign in again with a valid key.'
			};
		case 402:
			return {
				kind: 'billing',
				message:
					'The API account behind this key has a billing problem (402): check its plan and credit.'
			};
		case 403:
			return {
				kind: 'permission',
				message: 'This API key is not allowed to use this model or feature (403).'
			};
		case 404:
			return {
				kind: 'not_found',
				message: 'The model is not available to this key (404). Choose another model.'
			};
		case 413:
			return {
				kind: 'too_large',
				message:
					'The conversation is too large for one request (413). Compact it or start a new session.'
			};
		case 429:
			return {
				kind: 'rate_limit',
				message: `The API is rate limiting this key (429). Try again${retryAfter ? ` in ${retryAfter} s` : ' in a moment'}.`,
				...(retryAfter ? { retryAfterSeconds: retryAfter } : {})
			};
		case 529:
			return overloaded(retryAfter);
		case undefined:
			// An `error` event in the middle of the stream, after the 200.
			if (type === 'overloaded_error') return overloaded(retryAfter);
			return {
				kind: 'stream_error',
				message: `The API ended the answer with an error${type ? ` (${type})` : ''}. Try again.`
			};
		default:
			return {
				kind: 'api_error',
				message: `The API had a problem (${error.status}). Try again in a moment.`
			};
	}
}

function overloaded(retryAfter: number | undefined): RunError {
	return {
		kind: 'overloaded',
		message: 'Claude is overloaded right now (529). Try again in a moment.',
		...(retryAfter ? { retryAfterSeconds: retryAfter } : {})
	};
}

export const abortErrors: Record<Exclude<AbortReason, 'stop'>, RunError> = {
	stall: {
		kind: 'stall',
		message: 'The API stopped sending the answer and was given up after waiting.'
	},
	shutdown: {
		kind: 'server_restart',
		message: 'The Tether server restarted during this answer.'
	}
};

export const cutShort: RunError = {
	kind: 'cut_short',
	message: 'The connection to the API closed before the answer was complete.'
};

/** Seconds from `retry-after` (seconds or an HTTP date) or `retry-after-ms`; whole seconds up. */
export function retryAfterSeconds(headers: Headers | undefined): number | undefined {
	if (!headers) return undefined;
	const ms = Number(headers.get('retry-after-ms'));
	if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms / 1000);
	const raw = headers.get('retry-after');
	if (!raw) return undefined;
	const seconds = Number(raw);
	if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
	const date = Date.parse(raw);
	return Number.isNaN(date) ? undefined : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/** A broken connection as fetch reports it once a body is streaming (`terminated`, ECONNRESET). */
function isNetworkError(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	const code = (error.cause as { code?: unknown } | undefined)?.code;
	if (
		typeof code === 'string' &&
		/^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(code)
	) {
		return true;
	}
	return error.name === 'TypeError' && /terminated|fetch failed|network/i.test(error.message);
}
