import { defaultModel, type OfferedModel } from '../core/models.js';
import { store, sync } from './app.svelte.js';

const metaKey = 'models';

interface ModelList {
	models: OfferedModel[];
	default: string | null;
}

/**
 * The models the person's key may use, as the server lists them from the API: kept in the
 * account's database so the "Model" choice works offline, refreshed when a session page opens.
 */
class ModelsState {
	list = $state.raw<OfferedModel[]>([]);
	/** What a session that chose nothing runs with. */
	defaultId = $state<string | undefined>();
	#refreshed = false;

	/** Shows the stored list at once, then asks the server once per page load. */
	async load(): Promise<void> {
		const stored = (await store().db.meta.get(metaKey))?.value as ModelList | undefined;
		if (stored && this.list.length === 0) this.#show(stored);
		if (this.#refreshed) return;
		this.#refreshed = true;
		try {
			const fresh = await sync().runs.models();
			this.#show(fresh);
			await store().db.meta.put({ key: metaKey, value: fresh });
		} catch {
			// Offline or the API is unreachable: the stored list stays, the next page load asks again.
			this.#refreshed = false;
		}
	}

	#show(list: ModelList): void {
		this.list = list.models;
		this.defaultId = list.default ?? defaultModel(list.models)?.id;
	}
}

export const models = new ModelsState();
