import { highlighter } from './highlighter.svelte';
import { renderMarkdown, type Highlight } from './render';

/**
 * The rendered blocks of one message whose source may be growing (a streaming answer). The first
 * render is immediate; after that, renders are spaced by four times what the last one cost, so a
 * long answer arriving token by token takes at most a fifth of the main thread ([RD7]).
 */
export class LiveMarkdown {
	blocks = $state<string[]>([]);
	#source = '';
	#highlight: Highlight | null = null;
	#shown: { source: string; highlight: Highlight | null } | null = null;
	#lastEnd = 0;
	#lastCost = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;

	/** Shows `source`, highlighted with `highlight` when given (null until it has loaded). */
	show(source: string, highlight: Highlight | null): void {
		this.#source = source;
		this.#highlight = highlight;
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
		if (this.#shown?.source === source && this.#shown.highlight === highlight) return;
		const start = performance.now();
		const { blocks, hasCode } = renderMarkdown(source, highlight);
		this.blocks = blocks;
		this.#shown = { source, highlight };
		if (hasCode) highlighter.load();
		this.#lastEnd = performance.now();
		this.#lastCost = this.#lastEnd - start;
	}
}
