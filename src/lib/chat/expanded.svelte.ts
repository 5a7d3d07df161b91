import { SvelteSet } from 'svelte/reactivity';

/**
 * The long messages a person expanded, by id. Kept outside the message's component: the
 * conversation list draws only what is on screen and may draw a message anew (scrolling, the
 * list reloading its rows), and an expanded message must stay expanded through that.
 */
export const expandedMessages = new SvelteSet<string>();

export function toggleExpanded(id: string): void {
	if (!expandedMessages.delete(id)) expandedMessages.add(id);
}
