import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { RunNotice } from '../../src/lib/core/run-notice.js';

/**
 * What a push carries: a notice; for an approval, the capability its actions answer with; for an
 * approval that no longer waits, `settled`, so devices replace the approval's notification.
 */
export type PushNotice = RunNotice & { approval?: string; settled?: true };
import type { Subscriptions } from './subscriptions.js';
import type { VapidKeys } from './vapid.js';

export interface NotifierOptions {
	subscriptions: Subscriptions;
	vapid: VapidKeys;
	subject: string;
	onError?: (message: string, error?: unknown) => void;
	/** How to reach push services (tests trust their local one's certificate through it). */
	agent?: Agent;
}

/**
 * Sends a notice to every device of an account as a Web Push: encrypted for each device (RFC 8291,
 * by `web-push`), signed with the server's VAPID key. A device whose push service says it is gone
 * (404, 410) is forgotten. Never throws: a notification is a courtesy, not part of the run.
 */
export function createNotifier(options: NotifierOptions) {
	const vapidDetails = {
		subject: options.subject,
		publicKey: options.vapid.publicKey,
		privateKey: options.vapid.privateKey
	};
	return {
		async notify(accountId: string, notice: PushNotice): Promise<void> {
			const payload = JSON.stringify(notice);
			let targets;
			try {
				targets = await options.subscriptions.of(accountId);
			} catch (error) {
				options.onError?.('the devices to notify could not be read', error);
				return;
			}
			await Promise.all(
				targets.map(async (target) => {
					try {
						// An answer an hour old is not worth waking a phone for.
						await webpush.sendNotification(target, payload, {
							vapidDetails,
							TTL: 3600,
							urgency: 'normal',
							timeout: 10_000,
							...(options.agent ? { agent: options.agent } : {})
						});
					} catch (error) {
						const status = (error as { statusCode?: number }).statusCode;
						if (status === 404 || status === 410) {
							// Shared with every instance when they share a store: gone for all of them.
							await options.subscriptions
								.remove(accountId, target.endpoint)
								.catch((removing: unknown) =>
									options.onError?.('a gone device could not be forgotten', removing)
								);
							return;
						}
						// The endpoint is a capability URL: never logged.
						options.onError?.(`a push was not delivered (status ${status ?? 'none'})`);
					}
				})
			);
		}
	};
}

export type Notifier = ReturnType<typeof createNotifier>;
