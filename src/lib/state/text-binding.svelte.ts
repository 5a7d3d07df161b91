import type * as Y from 'yjs';
import { replaceText } from '../core/shapes.js';

/**
 * Two-way binding between a text field and a Y.Text: typing writes only the changed span;
 * changes from elsewhere (another tab or device) replace the shown value.
 */
export class TextBinding {
	value = $state('');
	readonly #text: Y.Text;
	readonly #observer: (event: Y.YTextEvent, tr: Y.Transaction) => void;

	constructor(text: Y.Text) {
		this.#text = text;
		this.value = text.toString();
		this.#observer = (_event, tr) => {
			if (tr.origin !== this) this.value = text.toString();
		};
		text.observe(this.#observer);
	}

	set(next: string): void {
		this.value = next;
		replaceText(this.#text, next, this);
	}

	destroy(): void {
		this.#text.unobserve(this.#observer);
	}
}
