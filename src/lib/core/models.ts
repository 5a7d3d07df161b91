/** A model as the app offers it (from the Models API, through the server): never a retired one. */
export interface OfferedModel {
	id: string;
	displayName: string;
	deprecated: boolean;
	line: string | null;
	/** The context window, for the context meter. */
	maxInputTokens: number | null;
	/** The most an answer may be, sent as `max_tokens`. */
	maxTokens: number | null;
	createdAt: string;
}

/**
 * The model for a session that did not choose one: the configured default when the key may use
 * it, else the newest active model of the sonnet line, else the newest active one.
 */
export function defaultModel(
	models: readonly OfferedModel[],
	configured?: string | null
): OfferedModel | undefined {
	const active = models.filter((m) => !m.deprecated);
	return (
		models.find((m) => m.id === configured) ??
		active.find((m) => m.line === 'sonnet') ??
		active[0] ??
		models[0]
	);
}
