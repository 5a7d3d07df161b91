import type { renderMarkdown } from './render';

/**
 * The Markdown renderer (marked and DOMPurify, about a fifth of the session page's JavaScript),
 * loaded by a dynamic import so the page's first scripts stay small ([RD11]). The session page
 * starts loading it as it opens; until it has arrived an answer shows as plain text.
 */
class Renderer {
	/** The render function once loaded; views that read it render again when it arrives. */
	current = $state<typeof renderMarkdown | null>(null);
	#loading: Promise<void> | null = null;

	load(): void {
		if (this.current || this.#loading) return;
		this.#loading = import('./render').then(
			(module) => {
				this.current = module.renderMarkdown;
			},
			(error: unknown) => {
				// Offline before the app was ever cached whole: keep the plain text, try again later.
				this.#loading = null;
				console.warn('Markdown rendering is not available yet:', error);
			}
		);
	}
}

export const renderer = new Renderer();
