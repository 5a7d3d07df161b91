/** Asks the server to check an API key with the Anthropic API and to issue a sync token. */

export type LoginResult =
	| { kind: 'ok'; token: string; expiresAt: number; accountId: string }
	| { kind: 'refused'; message: string }
	| { kind: 'unreachable'; message: string };

export async function login(apiKey: string, fetchImpl: typeof fetch = fetch): Promise<LoginResult> {
	let response: Response;
	try {
		response = await fetchImpl('/api/login', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ apiKey })
		});
	} catch {
		return { kind: 'unreachable', message: 'Cannot reach the Tether server.' };
	}
	const body = (await response.json().catch(() => undefined)) as
		| { token?: string; expiresAt?: number; accountId?: string; error?: { message?: string } }
		| undefined;
	if (response.ok && body?.token && body.accountId) {
		return {
			kind: 'ok',
			token: body.token,
			expiresAt: body.expiresAt ?? 0,
			accountId: body.accountId
		};
	}
	const message = body?.error?.message ?? `The server answered ${response.status}.`;
	// The server could not ask the API (it is down or unreachable): not a verdict on the key.
	if (response.status >= 500) return { kind: 'unreachable', message };
	return { kind: 'refused', message };
}
