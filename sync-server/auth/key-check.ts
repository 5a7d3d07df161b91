import Anthropic from '@anthropic-ai/sdk';
import { checkApiKeyFormat } from '../../src/lib/core/api-key.js';
import { HttpError } from '../http/api.js';
import { fetchThatAborts } from '../runs/fetch-that-aborts.js';

export interface ModelSummary {
	id: string;
	displayName: string;
	maxInputTokens: number | null;
}

/** Shape rules before a key goes anywhere (the app's own): the API decides validity. */
export function parseApiKey(body: unknown): string {
	const raw = (body as { apiKey?: unknown } | null)?.apiKey;
	if (raw === undefined) throw new HttpError(400, 'missing_key', 'Send the API key as "apiKey"');
	if (typeof raw !== 'string') {
		throw new HttpError(400, 'malformed_key', 'The API key must be text');
	}
	const checked = checkApiKeyFormat(raw);
	if (!checked.ok) throw new HttpError(400, 'malformed_key', checked.error);
	return checked.key;
}

/**
 * Asks the API whether it accepts the key, by listing models through the SDK (which reads
 * ANTHROPIC_BASE_URL). The SDK's own retry policy is the only one (one retry: a person is
 * waiting); redirects are refused so the key only ever goes to the configured upstream (S7).
 * Errors are mapped to words; the SDK's messages are not passed on.
 */
export async function checkKeyWithApi(apiKey: string, timeoutMs: number): Promise<ModelSummary[]> {
	const client = new Anthropic({
		apiKey,
		timeout: timeoutMs,
		maxRetries: 1,
		logLevel: 'off',
		fetchOptions: { redirect: 'error' },
		fetch: fetchThatAborts()
	});
	try {
		const page = await client.models.list({ limit: 100 });
		return page.data
			.filter((m) => m.lifecycle !== 'retired')
			.map((m) => ({ id: m.id, displayName: m.display_name, maxInputTokens: m.max_input_tokens }));
	} catch (error) {
		throw toHttpError(error);
	}
}

function toHttpError(error: unknown): HttpError {
	if (
		error instanceof Anthropic.AuthenticationError ||
		error instanceof Anthropic.PermissionDeniedError
	) {
		return new HttpError(401, 'invalid_key', 'Invalid API key');
	}
	if (error instanceof Anthropic.APIConnectionError) {
		return new HttpError(502, 'api_unreachable', 'Cannot reach the Anthropic API');
	}
	if (error instanceof Anthropic.RateLimitError) {
		return new HttpError(
			503,
			'api_rate_limited',
			'The Anthropic API is rate limiting this key: try again in a minute'
		);
	}
	if (error instanceof Anthropic.APIError) {
		return new HttpError(
			502,
			'api_error',
			`The Anthropic API could not check the key (HTTP ${error.status ?? 'error'}): try again`
		);
	}
	// Not an API answer: say so by class name only (an error text could quote the request).
	console.error('tether: key check failed:', error instanceof Error ? error.name : typeof error);
	return new HttpError(502, 'api_unreachable', 'Cannot reach the Anthropic API');
}
