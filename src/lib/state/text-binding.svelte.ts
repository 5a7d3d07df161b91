import type * as Y from 'yjs';
import { mapIndex, type TextDeltaStep } from '../core/map-index.js';
import { replaceText } from '../core/shapes.js';

/**
 * Two-way binding between a text field and a Y.Text: typing writes only the changed span;
 * changes from elsewhere (another tab or device) replace the shown value, and the field's
 * cursor and selection move with the text around them instead of jumping to the end ([CL14]).
 */
export class TextBinding {
	value = $state('');
	readonly #text: Y.Text;
	readonly #observer: (event: Y.YTextEvent, tr: Y.Transaction) => void;
	#field: HTMLTextAreaElement | undefined;

	constructor(text: Y.Text) {
		this.#text = text;
		this.value = text.toString();
		this.#observer = (event, tr) => {
			if (tr.origin === this) return;
			const next = text.toString();
			this.#showInField(next, event.delta as TextDeltaStep[]);
			this.value = next;
		};
		text.observe(this.#observer);
	}

	/** The field that shows the text (a Svelte attachment): its selection is kept across changes. */
	attach = (field: HTMLTextAreaElement): (() => void) => {
		this.#field = field;
		return () => {
			if (this.#field === field) this.#field = undefined;
		};
	};

	set(next: string): void {
		this.value = next;
		replaceText(this.#text, next, this);
	}

	destroy(): void {
		this.#text.unobserve(this.#observer);
		this.#field = undefined;
	}

	// Written here, before Svelte's update: setting a textarea's value puts its cursor at the end,
	// so the selection is put back at once, moved through the change. Svelte then finds the
	// value already shown and leaves it.
	#showInField(next: string, delta: TextDeltaStep[]): void {
		const field = this.#field;
		if (!field || field.value === next) return;
		const { selectionStart, selectionEnd, selectionDirection } = field;
		field.value = next;
		field.setSelectionRange(
			mapIndex(selectionStart, delta),
			mapIndex(selectionEnd, delta),
			selectionDirection
		);
	}
}
