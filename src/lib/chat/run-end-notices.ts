import type { MessageRow } from '../core/rows.js';
import { runNotice, type RunNotice } from '../core/run-notice.js';

/**
 * Notices for answers that finish while the open page is hidden: the page saw them streaming, and
 * the person is elsewhere. The server's Web Push says the same with the same tag, so a device that
 * gets both shows one notification.
 */
export class RunEndNotices {
	readonly #streaming = new Set<string>();

	constructor(
		readonly projectId: string,
		readonly sessionId: string
	) {}

	/** The notices due for the rows as they are now; remembers what is streaming. */
	due(rows: readonly MessageRow[], sessionTitle: string | undefined): RunNotice[] {
		const notices: RunNotice[] = [];
		for (const row of rows) {
			if (row.role !== 'assistant') continue;
			if (row.status === 'streaming') {
				this.#streaming.add(row.id);
				continue;
			}
			if (!this.#streaming.delete(row.id) || !row.status) continue;
			const notice = runNotice({
				projectId: this.projectId,
				sessionId: this.sessionId,
				answerId: row.id,
				status: row.status,
				sessionTitle,
				text: row.text,
				error: row.error?.message
			});
			if (notice) notices.push(notice);
		}
		return notices;
	}
}

/** Shows a notice through the service worker (so a click can open the session), if allowed. */
export async function showNotice(notice: RunNotice): Promise<void> {
	if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
	const registration = await navigator.serviceWorker?.getRegistration();
	if (!registration) return;
	await registration.showNotification(notice.title, {
		body: notice.body,
		tag: notice.tag,
		icon: '/icons/icon-192.png',
		data: { url: notice.url }
	});
}
