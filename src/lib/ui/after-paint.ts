import { nextTask } from '../store/next-task.js';

/**
 * Resolves just after the browser painted the next frame: a requestAnimationFrame callback runs
 * before that frame's paint, and a task posted from it runs after. Work started then (loading a
 * large document, say) cannot delay what the frame shows. A hidden page paints no frames, so
 * there it resolves on a timer instead.
 */
export function afterNextPaint(): Promise<void> {
	return new Promise((resolve) => {
		const fallback = setTimeout(resolve, 100);
		requestAnimationFrame(() => {
			void nextTask().then(() => {
				clearTimeout(fallback);
				resolve();
			});
		});
	});
}
