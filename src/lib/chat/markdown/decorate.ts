/*
 * What the page adds around sanitized Markdown: a bar with the language, a "Copy code" button and
 * a status per code block, and a scrolling box per table. It runs after the sanitizer, on its
 * output, so the sanitizer never has to allow a button; nothing here comes from the model except
 * the language name, set as text.
 */

export const copyCodeLabel = 'Copy code';

/** Wraps each `pre` and `table` of `fragment` in place. */
export function decorate(fragment: DocumentFragment): void {
	const doc = fragment.ownerDocument;
	for (const pre of fragment.querySelectorAll('pre')) {
		const box = doc.createElement('div');
		box.className = 'md-code';
		const bar = doc.createElement('div');
		bar.className = 'md-code-bar';
		const language = doc.createElement('span');
		language.className = 'md-code-language';
		language.textContent = languageOf(pre);
		const status = doc.createElement('span');
		status.className = 'md-copy-status';
		status.setAttribute('role', 'status');
		const button = doc.createElement('button');
		button.type = 'button';
		button.className = 'md-copy-code';
		button.textContent = copyCodeLabel;
		bar.append(language, status, button);
		pre.replaceWith(box);
		box.append(bar, pre);
	}
	for (const table of fragment.querySelectorAll('table')) {
		const box = doc.createElement('div');
		box.className = 'md-table';
		table.replaceWith(box);
		box.append(table);
	}
}

function languageOf(pre: HTMLPreElement): string {
	const code = pre.querySelector('code');
	for (const name of code?.classList ?? []) {
		if (name.startsWith('language-')) return name.slice('language-'.length);
	}
	return '';
}

/** The text a "Copy code" button copies: its block's code, exactly as written. */
export function codeForButton(button: Element): string | null {
	const code = button.closest('.md-code')?.querySelector('pre code');
	return code?.textContent ?? null;
}
