import fs from 'node:fs';
import path from 'node:path';
import type { CDPSession, Page, Worker } from '@playwright/test';
import { createApprovalTokens } from '../../sync-server/push/approval-token.js';
import { approvalKey, approvalPush } from '../../sync-server/push/index.js';
import { approvalNotice, settledApprovalNotice } from '../../src/lib/core/approval-notice.js';
import {
	answers,
	ask,
	createProject,
	device,
	expect,
	newSession,
	send,
	signIn,
	test
} from './fixtures.js';

/** The notifications Tether's service worker shows now: title, body and the session they open. */
function shownNotifications(page: Page) {
	return page.evaluate(async () => {
		const registration = await navigator.serviceWorker.ready;
		const shown = await registration.getNotifications();
		return shown.map((n) => ({
			title: n.title,
			body: n.body,
			tag: n.tag,
			url: (n.data as { url?: string } | null)?.url
		}));
	});
}

/**
 * What the browser does when the person switches to another app or tab: the page's visibility
 * becomes hidden. Headless Chromium keeps every page visible, so the test says it for the browser.
 */
async function hide(page: Page): Promise<void> {
	await page.evaluate(() => {
		Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
		document.dispatchEvent(new Event('visibilitychange'));
	});
}

/**
 * Waits until the service worker no longer sees a window of Tether: a page that navigated away
 * leaves the worker's list of clients a moment later, and a push arriving before that still
 * finds the app in front (and shows nothing, as it should).
 */
async function noWindowsLeft(worker: Worker): Promise<void> {
	await expect
		.poll(() =>
			worker.evaluate(async () => {
				const scope = self as unknown as ServiceWorkerGlobalScope;
				return (await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })).length;
			})
		)
		.toBe(0);
}

/** The id of the app's service worker registration, as the DevTools protocol names it. */
async function registrationId(cdp: CDPSession, origin: string): Promise<string> {
	const found = new Promise<string>((resolve) => {
		cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
			const ours = registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted);
			if (ours) resolve(ours.registrationId);
		});
	});
	await cdp.send('ServiceWorker.enable');
	return found;
}

test('[NT4] an answer that ends while the page is hidden shows one notification naming the session; a visible page shows none', async ({
	page,
	apiKey,
	tether,
	baseURL
}) => {
	await page.context().grantPermissions(['notifications'], { origin: baseURL });
	await signIn(page, apiKey);
	await createProject(page, 'Notices');
	await newSession(page);
	await send(page, 'Plan a trip 🗺️ رحلة');
	await expect(answers(page).last()).toHaveAttribute('aria-busy', 'false');
	expect(await shownNotifications(page)).toEqual([]);

	const pieces = Array.from({ length: 30 }, (_, i) => `step${i} `);
	tether.fake.script({
		blocks: [{ type: 'text', text: pieces.join(''), deltas: pieces }],
		delayMs: 100
	});
	await send(page, 'And the way back?');
	await expect(answers(page).last()).toContainText('step1');
	await hide(page);
	await expect
		.poll(() => shownNotifications(page), { timeout: 15_000 })
		.toEqual([
			{
				title: 'Claude answered in Plan a trip 🗺️ رحلة',
				body: expect.stringMatching(/^step0 step1 step2/),
				tag: expect.stringMatching(/^answer-/),
				url: new URL(page.url()).pathname
			}
		]);
});

test('[NT5] a Web Push reaching the service worker shows its notice unless a window of Tether is in front', async ({
	page,
	apiKey,
	baseURL
}) => {
	await signIn(page, apiKey);
	await page.context().grantPermissions(['notifications'], { origin: baseURL });
	await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
	const cdp = await page.context().newCDPSession(page);
	const origin = new URL(baseURL!).origin;
	const id = await registrationId(cdp, origin);
	const push = (tag: string) =>
		cdp.send('ServiceWorker.deliverPushMessage', {
			origin,
			registrationId: id,
			data: JSON.stringify({
				title: `Claude answered in ${tag}`,
				body: 'Done ✅',
				tag,
				url: '/p/x/s/y'
			})
		});

	// The person is looking at Tether: the answer is on screen, no notification.
	await push('in-front');
	// Now no window of Tether is open: the notice shows.
	await page.goto('about:blank');
	await noWindowsLeft(page.context().serviceWorkers()[0]!);
	await push('away');
	await page.goto('/');
	await expect
		.poll(() => shownNotifications(page), { timeout: 10_000 })
		.toEqual([{ title: 'Claude answered in away', body: 'Done ✅', tag: 'away', url: '/p/x/s/y' }]);
});

for (const decision of ['approve', 'deny'] as const) {
	test(`[NT10] "${decision === 'approve' ? 'Approve' : 'Deny'}" on an approval's notification answers it without opening the app; the run goes on on another device`, async ({
		browser,
		apiKey,
		tether,
		baseURL
	}) => {
		tether.fake.reset();
		const a = await device(browser, apiKey);
		await a.context().grantPermissions(['notifications'], { origin: baseURL });
		await createProject(a, 'Pushed approvals');
		await newSession(a);
		const sessionUrl = a.url();
		const b = await device(browser, apiKey);
		await b.goto(sessionUrl);
		await expect(b.getByRole('textbox', { name: 'Message' })).toBeVisible();
		tether.fake.script(
			{
				blocks: [
					{
						type: 'tool_use',
						id: `toolu_nt10_${decision}`,
						name: 'write_file',
						input: { path: 'notes/plan.md', content: 'Step 1 🚀\n' }
					}
				]
			},
			{ blocks: [{ type: 'text', text: 'Carried on after the notification.' }] }
		);
		await ask(a, 'Write the plan');
		await expect(b.getByRole('button', { name: 'Approve', exact: true })).toBeVisible();

		// The push the server sends for this call (signed with its secret), reaching A's service
		// worker while no window of Tether is open there.
		const [, , projectId, , sessionId] = new URL(sessionUrl).pathname.split('/');
		const secret = fs.readFileSync(path.join(tether.dataDir, 'secret'), 'utf8').trim();
		const { accountId } = await tether.login(apiKey);
		const payload = approvalPush(createApprovalTokens({ key: approvalKey(secret) }), accountId, {
			projectId: projectId!,
			sessionId: sessionId!,
			toolUseId: `toolu_nt10_${decision}`,
			tool: 'write_file',
			path: 'notes/plan.md',
			sessionTitle: 'Write the plan',
			expiresAt: Date.now() + 600_000
		});
		await expect.poll(() => a.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
		const cdp = await a.context().newCDPSession(a);
		const origin = new URL(baseURL!).origin;
		const id = await registrationId(cdp, origin);
		const [worker] = a.context().serviceWorkers();
		expect(worker).toBeDefined();
		await a.goto('about:blank');
		await noWindowsLeft(worker!);
		const deliver = () =>
			cdp.send('ServiceWorker.deliverPushMessage', {
				origin,
				registrationId: id,
				data: JSON.stringify(payload)
			});
		await deliver();
		// Headless Chromium sometimes drops a push the DevTools protocol delivers (about one run in
		// five here, root cause unknown): a push service redelivers too, and the tag makes a
		// second delivery replace the first, so the count below still means one notification.
		await expect
			.poll(
				async () => {
					const shown = await worker!.evaluate(async () => {
						const scope = self as unknown as ServiceWorkerGlobalScope;
						return (await scope.registration.getNotifications()).length;
					});
					if (shown === 0) await deliver();
					return shown;
				},
				{ intervals: [500, 1000, 3000], timeout: 30_000 }
			)
			.toBe(1);
		expect(
			await worker!.evaluate(async () =>
				(await (self as unknown as ServiceWorkerGlobalScope).registration.getNotifications()).map(
					(n) => ({
						title: n.title,
						body: n.body,
						actions: (
							n as Notification & { actions: { action: string; title: string }[] }
						).actions.map(({ action, title }) => ({ action, title }))
					})
				)
			)
		).toEqual([
			{
				title: 'Claude asks to change a file in Write the plan',
				body: 'write_file notes/plan.md',
				actions: [
					{ action: 'approve', title: 'Approve' },
					{ action: 'deny', title: 'Deny' }
				]
			}
		]);

		// The person picks the action on the notification (DevTools cannot click one: the worker
		// gets the same event from the test).
		await worker!.evaluate((action) => {
			const scope = self as unknown as ServiceWorkerGlobalScope;
			void scope.registration.getNotifications().then(([notification]) => {
				if (!notification) return;
				scope.dispatchEvent(new NotificationEvent('notificationclick', { notification, action }));
			});
		}, decision);

		// B sees the decision taken and the run going on; A opened no window for it.
		await expect(answers(b).last()).toContainText('Carried on after the notification.');
		await expect(b.getByRole('button', { name: 'Approve', exact: true })).toBeHidden();
		await expect(a).toHaveURL('about:blank');
		expect(a.context().pages()).toHaveLength(1);
		const log = b.getByRole('log', { name: 'Conversation' });
		if (decision === 'approve') {
			await expect(
				b.getByRole('button', { name: 'write_file notes/plan.md · +1 −0' })
			).toBeVisible();
		} else {
			await expect(log.getByText('declined', { exact: true })).toBeVisible();
		}
	});
}

test('[NT11] an approval answered elsewhere or ended no longer offers Approve: its notification is replaced quietly, or closed under an open window', async ({
	page,
	apiKey,
	baseURL
}) => {
	await signIn(page, apiKey);
	await page.context().grantPermissions(['notifications'], { origin: baseURL });
	await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
	const cdp = await page.context().newCDPSession(page);
	const origin = new URL(baseURL!).origin;
	const id = await registrationId(cdp, origin);
	const push = (payload: object) =>
		cdp.send('ServiceWorker.deliverPushMessage', {
			origin,
			registrationId: id,
			data: JSON.stringify(payload)
		});
	const call = (toolUseId: string) => ({
		projectId: 'p1',
		sessionId: 's1',
		toolUseId,
		tool: 'write_file',
		path: 'notes/✈️ plan.md',
		sessionTitle: 'Trip 🗺️ رحلة'
	});
	const [worker] = page.context().serviceWorkers();
	expect(worker).toBeDefined();
	const shown = () =>
		worker!.evaluate(async () =>
			(await (self as unknown as ServiceWorkerGlobalScope).registration.getNotifications()).map(
				(n) => ({
					title: n.title,
					tag: n.tag,
					actions: (n as Notification & { actions: { title: string }[] }).actions.map(
						(a) => a.title
					)
				})
			)
		);

	// No window of Tether open: the approval shows with its actions, then is answered elsewhere.
	await page.goto('about:blank');
	await noWindowsLeft(worker!);
	await push({
		...approvalNotice({ ...call('toolu_a'), expiresAt: Date.now() + 60_000 }),
		approval: 'a1.x.y'
	});
	await expect.poll(shown).toEqual([
		{
			title: 'Claude asks to change a file in Trip 🗺️ رحلة',
			tag: 'approval-toolu_a',
			actions: ['Approve', 'Deny']
		}
	]);
	await push(settledApprovalNotice({ ...call('toolu_a'), outcome: 'approved' }));
	await expect
		.poll(shown)
		.toEqual([{ title: 'File change approved', tag: 'approval-toolu_a', actions: [] }]);
	// A settled call this device shows nothing of adds nothing.
	await push(settledApprovalNotice({ ...call('toolu_gone'), outcome: 'expired' }));
	await push({ title: 'Marker', body: '', tag: 'marker', url: '/' });
	await expect.poll(async () => (await shown()).map((n) => n.tag)).toContain('marker');
	expect((await shown()).map((n) => n.tag).sort()).toEqual(['approval-toolu_a', 'marker']);

	// A waiting approval, then a window of Tether in front when the call ends: it just goes.
	await push({
		...approvalNotice({ ...call('toolu_b'), expiresAt: Date.now() + 60_000 }),
		approval: 'a1.x.y'
	});
	await expect.poll(async () => (await shown()).map((n) => n.tag)).toContain('approval-toolu_b');
	await page.goto('/');
	await expect(page.getByRole('navigation', { name: 'Projects' })).toBeVisible();
	await push(settledApprovalNotice({ ...call('toolu_b'), outcome: 'ended' }));
	await expect
		.poll(async () => (await shown()).map((n) => n.tag))
		.not.toContain('approval-toolu_b');
	expect((await shown()).map((n) => n.tag).sort()).toEqual(['approval-toolu_a', 'marker']);
});
