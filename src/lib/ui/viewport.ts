/**
 * Keeps `--viewport-height` on the root element at the height of what is visible. Chromium on
 * Android shrinks the layout for the on-screen keyboard by itself (`interactive-widget` in the
 * viewport meta); Safari on iOS does not and lays the keyboard over the page, so there the app
 * sizes itself to the visual viewport and the composer stays above the keyboard.
 */
export function trackViewportHeight(): () => void {
	const viewport = window.visualViewport;
	if (!viewport) return () => {};
	const root = document.documentElement;
	const update = () => {
		// While the person zooms in, the visual viewport is smaller but the layout must not shrink.
		if (viewport.scale > 1.01) return root.style.removeProperty('--viewport-height');
		root.style.setProperty('--viewport-height', `${Math.round(viewport.height)}px`);
		// Safari scrolls the page to show a focused field; the app already fits, so undo it.
		if (window.scrollY !== 0) window.scrollTo(0, 0);
	};
	update();
	viewport.addEventListener('resize', update);
	return () => {
		viewport.removeEventListener('resize', update);
		root.style.removeProperty('--viewport-height');
	};
}
