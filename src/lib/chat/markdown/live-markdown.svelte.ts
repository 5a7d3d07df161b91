import { highlighter } from './highlighter.svelte';
import type { Highlight, renderMarkdown } from './render';

/**
 * The rendered blocks of one message whose source may be growing (a streaming answer). The first
 * render is immediate; after that, renders are spaced by four times what the last one cost, so a
 * long answer arriving token by token takes at most a fifth of the main thread ([RD7]).
 */
export class LiveMarkdown {
	blocks = $state<string[]>([]);
	#source = '';
	#highlight: Highlight | null = null;
	#renderFn: typeof renderMarkdown | null = null;
	#shown: {
		source: string;
		highlight: Highlight | null;
		render: typeof renderMarkdown | null;
	} | null = null;
	#lastEnd = 0;
	#lastCost = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;

	/**
	 * Shows `source` rendered with `render` (null until the renderer has loaded: no blocks, the
	 * view shows the plain source), highlighted with `highlight` when given.
	 */
	show(source: string, highlight: Highlight | null, render: typeof renderMarkdown | null): void {
		this.#source = source;
		this.#highlight = highlight;
		this.#renderFn = render;
		if (this.#timer !== undefined) return;
		const wait = this.#shown === null ? 0 : this.#lastEnd + this.#lastCost * 4 - performance.now();
		if (wait <= 0) {
			this.#render();
			return;
		}
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			this.#render();
		}, wait);
	}

	destroy(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#render(): void {
		const source = this.#source;
		const highlight = this.#highlight;
		const render = this.#renderFn;
		const shown = this.#shown;
		if (shown?.source === source && shown.highlight === highlight && shown.render === render)
			return;
		if (!render) {
			this.blocks = [];
			return;
		}
		const start = performance.now();
		const { blocks, hasCode } = render(source, highlight);
		this.blocks = blocks;
		this.#shown = { source, highlight, render };
		if (hasCode) highlighter.load();
		this.#lastEnd = performance.now();
		this.#lastCost = this.#lastEnd - start;
	}
}
