import Anthropic from '@anthropic-ai/sdk';
import { fetchThatAborts } from './fetch-that-aborts.js';

export interface UpstreamOptions {
	/** The SDK is about to wait and retry after this status (429, 5xx, 529): tell the person. */
	onRetryableStatus?: (status: number, headers: Headers) => void;
	/** Time allowed for response headers per attempt (the SDK's timeout). */
	timeoutMs?: number;
	/** The fetch underneath (tests stand in one that loses the abort signal, as Node's can). */
	fetch?: typeof fetch;
}

/**
 * A client for the one configured upstream (`ANTHROPIC_BASE_URL`, else the real API), used for one
 * person's request with their key. Redirects are refused, so the key goes nowhere else (S7). The
 * SDK's retry policy is the only retry layer (R17), limited to one retry: a person is waiting,
 * and a retry storm helps nobody.
 */
export function anthropicClient(apiKey: string, options: UpstreamOptions = {}): Anthropic {
	const observe = options.onRetryableStatus;
	const send = fetchThatAborts(options.fetch);
	return new Anthropic({
		apiKey,
		maxRetries: 1,
		timeout: options.timeoutMs ?? 60_000,
		logLevel: 'off',
		fetchOptions: { redirect: 'error' },
		fetch: async (url, init) => {
			const response = await send(url, init);
			if (observe && (response.status === 429 || response.status >= 500)) {
				observe(response.status, response.headers);
			}
			return response;
		}
	});
}
