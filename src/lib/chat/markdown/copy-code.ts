import type { Attachment } from 'svelte/attachments';
import { copyText } from './clipboard';
import { codeForButton } from './decorate';

const statusMs = 2500;

/**
 * Serves every "Copy code" button inside the element it is attached to. The buttons are part of
 * the rendered HTML (decorate.ts), replaced whenever their block renders again, so one listener
 * on the container answers them all.
 */
export const copyCodeButtons: Attachment<HTMLElement> = (node) => {
	const timers = new Set<ReturnType<typeof setTimeout>>();
	const onclick = (event: MouseEvent) => {
		const button = (event.target as Element | null)?.closest('button.md-copy-code');
		if (!button || !node.contains(button)) return;
		const status = button.parentElement?.querySelector('.md-copy-status');
		const code = codeForButton(button);
		if (code === null || !status) return;
		copyText(code).then(
			() => (status.textContent = 'Copied'),
			() => (status.textContent = 'Could not copy: select the text instead')
		);
		const timer = setTimeout(() => {
			status.textContent = '';
			timers.delete(timer);
		}, statusMs);
		timers.add(timer);
	};
	node.addEventListener('click', onclick);
	return () => {
		node.removeEventListener('click', onclick);
		for (const timer of timers) clearTimeout(timer);
	};
};
