import { login } from './login.js';

/** The server refused this device's key: the person has to sign in again. */
export class SignInRequiredError extends Error {}

export interface Credentials {
	apiKey: string;
	/** A token kept from before (a reload), used while it is still good. */
	token?: { token: string; expiresAt: number };
}

/**
 * Hands out the short-lived sync token, renewing it before it expires and signing in again with
 * the key when renewal is no longer possible. The raw key only ever goes to /api/login.
 */
export class TokenSource {
	#token: string | undefined;
	#expiresAt = 0;
	#pending: Promise<string> | undefined;
	#credentials: Promise<Credentials> | undefined;
	/** The server refused the key: asking again cannot help until the person signs in again. */
	#refused: SignInRequiredError | undefined;
	readonly #loadCredentials: () => Promise<Credentials>;
	readonly #onToken: (token: { token: string; expiresAt: number }) => void;

	/** `credentials` is read once, on first use, so starting the app does not wait for it. */
	constructor(
		credentials: () => Promise<Credentials>,
		onToken: (token: { token: string; expiresAt: number }) => void = () => {}
	) {
		this.#loadCredentials = credentials;
		this.#onToken = onToken;
	}

	/** A token good for at least another minute; `renew` forces a fresh one. */
	get = (options?: { renew: boolean }): Promise<string> => {
		const renew = options?.renew ?? false;
		this.#pending ??= this.#get(renew).finally(() => (this.#pending = undefined));
		return this.#pending;
	};

	/** The key itself, for the few requests that carry it (a run, the model list). */
	apiKey = async (): Promise<string> => (await this.#credentialsOnce()).apiKey;

	async #get(renew: boolean): Promise<string> {
		if (this.#refused) throw this.#refused;
		const { apiKey } = await this.#credentialsOnce();
		if (!renew && this.#token && this.#expiresAt - Date.now() > 60_000) return this.#token;
		if (this.#token && !renew && this.#expiresAt > Date.now()) {
			const renewed = await fetch('/api/token', {
				method: 'POST',
				headers: { authorization: `Bearer ${this.#token}` }
			}).catch(() => undefined);
			if (renewed?.ok) {
				const body = (await renewed.json()) as { token: string; expiresAt: number };
				return this.#keep(body.token, body.expiresAt);
			}
		}
		const result = await login(apiKey);
		if (result.kind === 'refused') {
			// Every later caller gets this at once: no sign-in request is ever repeated for it.
			this.#refused = new SignInRequiredError(result.message);
			throw this.#refused;
		}
		if (result.kind === 'unreachable') throw new Error(result.message);
		return this.#keep(result.token, result.expiresAt);
	}

	#credentialsOnce(): Promise<Credentials> {
		this.#credentials ??= this.#loadCredentials().then((credentials) => {
			if (credentials.token && !this.#token) {
				this.#token = credentials.token.token;
				this.#expiresAt = credentials.token.expiresAt;
			}
			return credentials;
		});
		return this.#credentials;
	}

	#keep(token: string, expiresAt: number): string {
		this.#token = token;
		this.#expiresAt = expiresAt;
		this.#onToken({ token, expiresAt });
		return token;
	}
}
