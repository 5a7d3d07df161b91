import type { Highlight } from './render';

/**
 * highlight.js, loaded once and only when a message has a code block ([RD5]). Until it has
 * arrived (or when it cannot, offline before it was ever cached), code shows plain.
 */
class Highlighter {
	/** The highlight function once loaded; views that read it render again when it arrives. */
	current = $state<Highlight | null>(null);
	#loading: Promise<void> | null = null;

	load(): void {
		if (this.current || this.#loading) return;
		this.#loading = import('./languages').then(
			(module) => {
				this.current = module.highlight;
			},
			(error: unknown) => {
				console.warn('Code highlighting is not available:', error);
			}
		);
	}
}

export const highlighter = new Highlighter();
