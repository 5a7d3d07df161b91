/**
 * The shape check done before a key goes anywhere, by the app and again by the server; the API
 * itself decides whether the key is valid.
 */
export function checkApiKeyFormat(
	raw: string
): { ok: true; key: string } | { ok: false; error: string } {
	const key = raw.trim();
	if (key.length === 0) return { ok: false, error: 'Enter your Anthropic API key.' };
	if (!key.startsWith('sk-ant-')) {
		return { ok: false, error: 'That is not an Anthropic API key: keys start with "sk-ant-".' };
	}
	if (key.length > 500 || !/^[\x21-\x7e]+$/.test(key)) {
		return { ok: false, error: 'That is not an Anthropic API key: it has spaces or is too long.' };
	}
	return { ok: true, key };
}
