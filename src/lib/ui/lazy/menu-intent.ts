/**
 * How someone asked for a menu before its code was there: the placeholder records it, and the
 * real trigger replays it once loaded, so the first click, Enter or long press opens the menu
 * (with the focus the menu gives that kind of opening) without a second try.
 */
export type MenuIntent =
	| { by: 'keyboard'; key: 'Enter' | 'ArrowDown' }
	| { by: 'pointer' }
	| { by: 'context'; x: number; y: number };

export function clickIntent(event: MouseEvent): MenuIntent {
	// detail 0: Enter or Space on the button, not a press.
	return event.detail === 0 ? { by: 'keyboard', key: 'Enter' } : { by: 'pointer' };
}

export function replayIntent(intent: MenuIntent, trigger: HTMLElement): void {
	const init = { bubbles: true, cancelable: true };
	switch (intent.by) {
		case 'keyboard':
			trigger.focus();
			trigger.dispatchEvent(new KeyboardEvent('keydown', { ...init, key: intent.key }));
			return;
		case 'pointer':
			trigger.dispatchEvent(
				new PointerEvent('pointerdown', { ...init, button: 0, pointerType: 'mouse' })
			);
			return;
		case 'context':
			trigger.dispatchEvent(
				new MouseEvent('contextmenu', { ...init, clientX: intent.x, clientY: intent.y })
			);
	}
}
