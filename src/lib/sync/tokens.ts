import { login } from './login.js';

/** The server refused this device's key: the person has to sign in again. */
export class SignInRequiredError extends Error {}

/**
 * Hands out the short-lived sync token, renewing it before it expires and signing in again with
 * the key when renewal is no longer possible. The raw key only ever goes to /api/login.
 */
export class TokenSource {
	#token: string | undefined;
	#expiresAt = 0;
	#pending: Promise<string> | undefined;
	readonly #apiKey: string;
	readonly #onToken: (token: { token: string; expiresAt: number }) => void;

	constructor(
		apiKey: string,
		initial?: { token: string; expiresAt: number },
		onToken: (token: { token: string; expiresAt: number }) => void = () => {}
	) {
		this.#apiKey = apiKey;
		this.#onToken = onToken;
		if (initial) {
			this.#token = initial.token;
			this.#expiresAt = initial.expiresAt;
		}
	}

	/** A token good for at least another minute; `renew` forces a fresh one. */
	get = (options?: { renew: boolean }): Promise<string> => {
		if (!options?.renew && this.#token && this.#expiresAt - Date.now() > 60_000) {
			return Promise.resolve(this.#token);
		}
		this.#pending ??= this.#fetch(options?.renew ?? false).finally(
			() => (this.#pending = undefined)
		);
		return this.#pending;
	};

	async #fetch(afterRefusal: boolean): Promise<string> {
		if (this.#token && !afterRefusal && this.#expiresAt > Date.now()) {
			const renewed = await fetch('/api/token', {
				method: 'POST',
				headers: { authorization: `Bearer ${this.#token}` }
			}).catch(() => undefined);
			if (renewed?.ok) {
				const body = (await renewed.json()) as { token: string; expiresAt: number };
				return this.#keep(body.token, body.expiresAt);
			}
		}
		const result = await login(this.#apiKey);
		if (result.kind === 'refused') throw new SignInRequiredError(result.message);
		if (result.kind === 'unreachable') throw new Error(result.message);
		return this.#keep(result.token, result.expiresAt);
	}

	#keep(token: string, expiresAt: number): string {
		this.#token = token;
		this.#expiresAt = expiresAt;
		this.#onToken({ token, expiresAt });
		return token;
	}
}
