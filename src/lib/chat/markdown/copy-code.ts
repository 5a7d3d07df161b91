import type { Attachment } from 'svelte/attachments';
import { copyText } from './clipboard';
import { codeForButton } from './decorate';

const statusMs = 2500;

interface ShownStatus {
	text: string;
	until: number;
}

/**
 * Serves every "Copy code" button inside the element it is attached to. The buttons are part of
 * the rendered HTML (decorate.ts), replaced whenever their block renders again (highlighting
 * arriving after the click, a streamed answer growing), so one listener on the container answers
 * them all, and a status is kept by the code block's position and painted again onto the
 * block's new HTML until it expires.
 */
export const copyCodeButtons: Attachment<HTMLElement> = (node) => {
	const shown = new Map<number, ShownStatus>();
	const timers = new Set<ReturnType<typeof setTimeout>>();
	const statuses = () => node.querySelectorAll('.md-copy-status');

	const paint = () => {
		const now = Date.now();
		const all = statuses();
		for (const [index, status] of shown) {
			const element = all[index];
			const text = status.until > now ? status.text : '';
			if (element && element.textContent !== text) element.textContent = text;
			if (status.until <= now) shown.delete(index);
		}
		if (shown.size === 0) redraws.disconnect();
	};
	const redraws = new MutationObserver(paint);

	const show = (index: number, text: string) => {
		shown.set(index, { text, until: Date.now() + statusMs });
		redraws.observe(node, { childList: true, subtree: true });
		paint();
		const timer = setTimeout(() => {
			timers.delete(timer);
			paint();
		}, statusMs);
		timers.add(timer);
	};

	const onclick = (event: MouseEvent) => {
		const button = (event.target as Element | null)?.closest('button.md-copy-code');
		if (!button || !node.contains(button)) return;
		const status = button.parentElement?.querySelector('.md-copy-status');
		const code = codeForButton(button);
		if (code === null || !status) return;
		const index = Array.prototype.indexOf.call(statuses(), status);
		copyText(code).then(
			() => show(index, 'Copied'),
			() => show(index, 'Could not copy: select the text instead')
		);
	};
	node.addEventListener('click', onclick);
	return () => {
		node.removeEventListener('click', onclick);
		redraws.disconnect();
		for (const timer of timers) clearTimeout(timer);
	};
};
