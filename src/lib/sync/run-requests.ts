import type * as Y from 'yjs';
import { askStatus, attemptOf } from '../core/answers.js';
import { parseDocName, type DocName } from '../core/doc-names.js';
import type { OfferedModel } from '../core/models.js';
import { messages } from '../core/shapes.js';

export interface RunRequestOptions {
	/** A sync token for the API (Authorization: Bearer). */
	token: () => Promise<string>;
	/** The API key, sent with each run request and kept by the server for that run only. */
	apiKey: () => Promise<string>;
	/** A refusal the person should know about (the key no longer belongs to the account...). */
	onProblem?: (message: string) => void;
	fetch?: typeof fetch;
}

/**
 * Asks the server to answer the person's messages that wait for an answer. Called once the
 * server has stored a session document (a live socket reached `synced`, or a background sync
 * finished), so the server can find the message. Whichever device gets there first asks; the
 * server runs each message and attempt once, and refuses the rest (R22).
 */
export class RunRequests {
	readonly #options: RunRequestOptions;
	/** `messageId:attempt` asked for (or being asked) from this tab. */
	readonly #asked = new Set<string>();

	constructor(options: RunRequestOptions) {
		this.#options = options;
	}

	/** Asks for every waiting message of a session document the server has stored. */
	check(name: DocName, doc: Y.Doc): void {
		const parsed = parseDocName(name);
		if (parsed?.kind !== 'session') return;
		for (const entry of messages(doc).toArray()) {
			if (entry.get('role') !== 'user' || askStatus(entry) !== 'waiting') continue;
			const messageId = entry.get('id');
			if (typeof messageId !== 'string') continue;
			const attempt = attemptOf(entry);
			const key = `${messageId}:${attempt}`;
			if (this.#asked.has(key)) continue;
			this.#asked.add(key);
			void this.#ask(parsed.id, messageId, attempt).then((settled) => {
				// Not settled (offline, not stored there yet): the next check asks again.
				if (!settled) this.#asked.delete(key);
			});
		}
	}

	/** Stop: ends the session's running answer on the server, whichever device started it. */
	async stop(sessionId: string, messageId?: string): Promise<void> {
		await this.#post('/api/runs/stop', { sessionId, messageId }, false);
	}

	/** The models this key may use (GET /api/models), newest first, and the default. */
	async models(): Promise<{ models: OfferedModel[]; default: string | null }> {
		const response = await (this.#options.fetch ?? fetch)('/api/models', {
			headers: {
				authorization: `Bearer ${await this.#options.token()}`,
				'x-api-key': await this.#options.apiKey()
			}
		});
		if (!response.ok) throw new Error(`listing models failed (${response.status})`);
		return (await response.json()) as { models: OfferedModel[]; default: string | null };
	}

	async #ask(sessionId: string, messageId: string, attempt: number): Promise<boolean> {
		try {
			const response = await this.#post('/api/runs', { sessionId, messageId, attempt }, true);
			// 202: accepted; 409: another device (or an earlier try) already asked.
			if (response.status === 202 || response.status === 409) return true;
			if (response.status === 403 || response.status === 400) {
				const body = (await response.json().catch(() => undefined)) as
					{ error?: { message?: string } } | undefined;
				this.#options.onProblem?.(
					`Claude could not be asked to answer: ${body?.error?.message ?? response.statusText}.`
				);
				return true;
			}
			return false;
		} catch {
			return false;
		}
	}

	async #post(path: string, body: unknown, withKey: boolean): Promise<Response> {
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			authorization: `Bearer ${await this.#options.token()}`
		};
		if (withKey) headers['x-api-key'] = await this.#options.apiKey();
		return (this.#options.fetch ?? fetch)(path, {
			method: 'POST',
			headers,
			body: JSON.stringify(body)
		});
	}
}
