/**
 * `GET /v1/models`: the catalogue and its pagination, shaped like the SDK's `ModelInfo` and
 * `Page` (`{data, has_more, first_id, last_id}`, cursors `after_id`/`before_id`, `limit`).
 * Like the real API, retired models are listed only when `lifecycle[]=retired` is asked for.
 */

export type Lifecycle = 'active' | 'deprecated' | 'retired';

export interface FakeModel {
	id: string;
	display_name: string;
	created_at: string;
	lifecycle: Lifecycle;
	line: string | null;
	max_input_tokens: number | null;
	max_tokens: number | null;
}

export interface ModelInfo extends FakeModel {
	type: 'model';
	capabilities: null;
	deprecated_at: string | null;
	retires_at: string | null;
}

/** Newest first, as the API lists them. Ids are the fake's own; tests should use these. */
export const defaultModels: readonly FakeModel[] = [
	{
		id: 'claude-opus-4-6',
		display_name: 'Claude Opus 4.6',
		created_at: '2026-08-05T00:00:00Z',
		lifecycle: 'active',
		line: 'opus',
		max_input_tokens: 200_000,
		max_tokens: 64_000
	},
	{
		id: 'claude-sonnet-4-6',
		display_name: 'Claude Sonnet 4.6',
		created_at: '2026-07-01T00:00:00Z',
		lifecycle: 'active',
		line: 'sonnet',
		max_input_tokens: 1_000_000,
		max_tokens: 64_000
	},
	{
		id: 'claude-haiku-4-5',
		display_name: 'Claude Haiku 4.5',
		created_at: '2025-10-01T00:00:00Z',
		lifecycle: 'active',
		line: 'haiku',
		max_input_tokens: 200_000,
		max_tokens: 64_000
	},
	{
		id: 'claude-sonnet-4-0',
		display_name: 'Claude Sonnet 4',
		created_at: '2025-05-22T00:00:00Z',
		lifecycle: 'deprecated',
		line: 'sonnet',
		max_input_tokens: 200_000,
		max_tokens: 64_000
	},
	{
		id: 'claude-2-1',
		display_name: 'Claude 2.1',
		created_at: '2023-11-21T00:00:00Z',
		lifecycle: 'retired',
		line: null,
		max_input_tokens: 200_000,
		max_tokens: 4_096
	}
];

export function toModelInfo(model: FakeModel): ModelInfo {
	const since = model.lifecycle === 'active' ? null : '2026-01-01T00:00:00Z';
	return {
		type: 'model',
		capabilities: null,
		deprecated_at: since,
		retires_at: model.lifecycle === 'deprecated' ? '2027-01-01T00:00:00Z' : since,
		...model
	};
}

/** One page of the catalogue for the query the SDK sent. */
export function listModels(models: readonly FakeModel[], query: URLSearchParams) {
	const asked = [...query.getAll('lifecycle[]'), ...query.getAll('lifecycle')];
	const lifecycles = new Set<string>(asked.length ? asked : ['active', 'deprecated']);
	const all = models.filter((m) => lifecycles.has(m.lifecycle));
	const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 1000);
	const after = query.get('after_id');
	const before = query.get('before_id');
	let page: FakeModel[];
	if (before) {
		const end = Math.max(
			all.findIndex((m) => m.id === before),
			0
		);
		page = all.slice(Math.max(end - limit, 0), end);
	} else {
		const start = after ? all.findIndex((m) => m.id === after) + 1 : 0;
		page = all.slice(start, start + limit);
	}
	const firstIndex = page[0] ? all.indexOf(page[0]) : 0;
	const hasMore = before ? firstIndex > 0 : firstIndex + page.length < all.length;
	return {
		data: page.map(toModelInfo),
		has_more: hasMore,
		first_id: page[0]?.id ?? null,
		last_id: page.at(-1)?.id ?? null
	};
}
