import type Anthropic from '@anthropic-ai/sdk';
import type { OfferedModel } from '../../src/lib/core/models.js';

export { defaultModel, type OfferedModel } from '../../src/lib/core/models.js';

/** Every model the key may use, newest first, retired ones left out. */
export async function listModels(client: Anthropic): Promise<OfferedModel[]> {
	const models: OfferedModel[] = [];
	for await (const model of client.models.list({ limit: 100 })) {
		if (model.lifecycle === 'retired') continue;
		models.push({
			id: model.id,
			displayName: model.display_name,
			deprecated: model.lifecycle === 'deprecated',
			line: model.line ?? null,
			maxInputTokens: model.max_input_tokens ?? null,
			maxTokens: model.max_tokens ?? null,
			createdAt: model.created_at
		});
		// Bounded: a misbehaving upstream cannot make us page forever.
		if (models.length >= 1000) break;
	}
	return models.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** `max_tokens` when the API did not say: enough for a long answer, accepted by every model. */
export const fallbackMaxTokens = 8192;

/** Model lists per account for a while, so a run does not list models before it can start. */
export class ModelCache {
	readonly #entries = new Map<string, { at: number; models: Promise<OfferedModel[]> }>();

	constructor(
		private readonly ttlMs = 10 * 60_000,
		private readonly maxEntries = 10_000,
		private readonly now = Date.now
	) {}

	get(accountId: string, load: () => Promise<OfferedModel[]>): Promise<OfferedModel[]> {
		const hit = this.#entries.get(accountId);
		if (hit && this.now() - hit.at < this.ttlMs) return hit.models;
		const entry = { at: this.now(), models: load() };
		// A failed listing is not remembered: the next caller asks again.
		entry.models.catch(() => {
			if (this.#entries.get(accountId) === entry) this.#entries.delete(accountId);
		});
		this.#entries.delete(accountId);
		this.#entries.set(accountId, entry);
		// Oldest first in a Map: drop from the front to stay bounded.
		while (this.#entries.size > this.maxEntries) {
			const oldest = this.#entries.keys().next().value;
			if (oldest === undefined) break;
			this.#entries.delete(oldest);
		}
		return entry.models;
	}
}
