// @vitest-environment jsdom
/**
 * [RD6] The "Copy code" status belongs to its code block, not to the HTML that drew it: the
 * block is drawn anew when highlighting arrives or the answer grows, and the status must survive.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyCodeButtons } from './copy-code';
import { renderMarkdown } from './render';

const source = 'Two blocks:\n\n```js\nconst a = 1;\n```\n\n```py\nb = 2\n```\n';

function draw(container: HTMLElement): void {
	container.innerHTML = renderMarkdown(source, null).blocks.join('');
}

const statuses = (container: HTMLElement) =>
	[...container.querySelectorAll('.md-copy-status')].map((s) => s.textContent);

describe('[RD6] copy code status', () => {
	afterEach(() => {
		vi.useRealTimers();
		vi.unstubAllGlobals();
	});

	it('stays on its block when the block is drawn again, and clears after a while', async () => {
		const writes: string[] = [];
		vi.stubGlobal('navigator', {
			clipboard: { writeText: async (text: string) => void writes.push(text) }
		});
		const container = document.createElement('div');
		document.body.append(container);
		draw(container);
		const detach = copyCodeButtons(container);
		const buttons = container.querySelectorAll<HTMLButtonElement>('button.md-copy-code');
		buttons[1]!.click();
		// Redrawn between the click and the clipboard's answer, as highlighting arriving does.
		draw(container);
		await vi.waitFor(() => expect(statuses(container)).toEqual(['', 'Copied']));
		expect(writes).toEqual(['b = 2']);
		// Drawn again while the status shows: painted onto the new HTML.
		draw(container);
		await vi.waitFor(() => expect(statuses(container)).toEqual(['', 'Copied']));
		await vi.waitFor(() => expect(statuses(container)).toEqual(['', '']), { timeout: 4000 });
		if (typeof detach === 'function') detach();
		container.remove();
	});
});
