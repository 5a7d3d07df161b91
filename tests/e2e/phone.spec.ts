import { devices, type Locator, type Page, type TestInfo } from '@playwright/test';
import { createProject, expect, newSession, send, signIn, test } from './fixtures.js';

/** Keeps a screenshot of the step as a test artefact (test-results/, and the report). */
async function snapshot(page: Page, testInfo: TestInfo, step: string): Promise<void> {
	const file = testInfo.outputPath(`${step}.png`);
	await page.screenshot({ path: file });
	await testInfo.attach(step, { path: file, contentType: 'image/png' });
}

/** How far the page, or any scroller in it, can scroll sideways. */
function sidewaysOverflow(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const found: string[] = [];
		const root = document.documentElement;
		if (root.scrollWidth > root.clientWidth)
			found.push(`page by ${root.scrollWidth - root.clientWidth}px`);
		for (const element of document.querySelectorAll<HTMLElement>('body *')) {
			const style = getComputedStyle(element);
			if (element.closest('pre')) continue; // code blocks scroll inside themselves, by design
			if (!['auto', 'scroll'].includes(style.overflowX)) continue;
			if (element.scrollWidth > element.clientWidth + 1)
				found.push(
					`${element.className || element.tagName} by ${element.scrollWidth - element.clientWidth}px`
				);
		}
		return found;
	});
}

/** Controls on screen smaller than a fingertip (44 × 44 CSS px). */
function smallTargets(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const small: string[] = [];
		const controls = document.querySelectorAll<HTMLElement>(
			'button, a[href], [role="menuitem"], input, textarea, select'
		);
		for (const control of controls) {
			if (!control.checkVisibility({ visibilityProperty: true })) continue;
			const { width, height } = control.getBoundingClientRect();
			if (width < 44 || height < 44) {
				const name = control.getAttribute('aria-label') ?? control.textContent?.trim().slice(0, 30);
				small.push(
					`${control.tagName.toLowerCase()} "${name}" is ${Math.round(width)}×${Math.round(height)}`
				);
			}
		}
		return small;
	});
}

/** Holds a finger on `target` until `opens` shows, then lifts it. */
async function longPress(page: Page, target: Locator, opens: Locator): Promise<void> {
	// The drawer slides in: press where the target will stay.
	await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
	const box = await target.boundingBox();
	if (!box) throw new Error(`${target.toString()} is not on screen`);
	const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
	await expect(opens).toBeVisible();
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
	await cdp.detach();
}

const profiles = { 'Pixel 7': devices['Pixel 7'], 'iPhone 14': devices['iPhone 14'] };

for (const [profile, device] of Object.entries(profiles)) {
	test.describe(`[PW6] phone: ${profile}`, () => {
		// The profile's screen, touch and user agent, in the Chromium the tests run (a browser
		// type cannot be chosen inside a describe block).
		const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = device;
		const emulation = { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch };
		test.use(emulation);

		test(`[PW6] the main flows fit the screen, with fingertip targets and long-press (${profile})`, async ({
			page,
			apiKey
		}, testInfo) => {
			const width = emulation.viewport.width;
			expect(width).toBeGreaterThanOrEqual(360);
			expect(width).toBeLessThanOrEqual(430);
			await page.goto('/');
			await expect(page.getByRole('textbox', { name: 'Anthropic API key' })).toBeVisible();
			await snapshot(page, testInfo, '1-sign-in');
			expect(await smallTargets(page)).toEqual([]);

			await signIn(page, apiKey);
			const projects = page.getByRole('navigation', { name: 'Projects' });
			await expect(projects).toBeHidden();
			await page.getByRole('button', { name: 'Open menu' }).click();
			await expect(projects).toBeVisible();
			await snapshot(page, testInfo, '2-drawer');
			expect(await smallTargets(page)).toEqual([]);
			await createProject(page, 'Phone project');
			await expect(projects).toBeHidden();

			await page.getByRole('button', { name: 'Open menu' }).click();
			await newSession(page);
			await send(page, 'First session on the phone');
			await page.getByRole('button', { name: 'Open menu' }).click();
			await newSession(page);
			const unbroken = 'x'.repeat(600);
			await send(page, unbroken);
			await send(page, `\`\`\`\nconst wide = "${'w'.repeat(400)}";\n\`\`\``);
			await send(page, 'مرحبا بالعالم 👩🏽‍💻 '.repeat(30));
			// Nothing new was deployed: no update prompt takes room on the small screen.
			await expect(page.getByRole('status').filter({ hasText: 'Update available' })).toHaveCount(0);
			await snapshot(page, testInfo, '3-session');
			expect(await sidewaysOverflow(page)).toEqual([]);
			expect(await smallTargets(page)).toEqual([]);

			// The on-screen keyboard takes the bottom of the screen: the composer stays above it.
			await page.setViewportSize({ width: viewport.width, height: viewport.height - 300 });
			const composer = page.getByRole('textbox', { name: 'Message' });
			await composer.focus();
			await expect(composer).toBeInViewport();
			await expect(page.getByRole('button', { name: 'Send' })).toBeInViewport();
			const box = await composer.boundingBox();
			expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThanOrEqual(viewport.height - 300);
			await snapshot(page, testInfo, '4-keyboard');
			await page.setViewportSize(viewport);

			// Long-press a session (not the open one): its options open, nothing navigates.
			const here = page.url();
			await page.getByRole('button', { name: 'Open menu' }).click();
			const sessions = page.getByRole('region', { name: 'Sessions' });
			const other = sessions.getByRole('link', { name: 'First session on the phone' });
			const options = page.getByRole('menu', { name: 'Session options' });
			await longPress(page, other, options);
			await snapshot(page, testInfo, '5-long-press');
			expect(await smallTargets(page)).toEqual([]);
			expect(page.url()).toBe(here);
			await options.getByRole('menuitem', { name: 'Rename' }).click();
			const rename = page.getByRole('dialog', { name: 'Rename session' });
			await rename.getByRole('textbox', { name: 'Name' }).fill('Renamed on the phone');
			await rename.getByRole('button', { name: 'Save' }).click();
			await expect(rename).toBeHidden();

			if (!(await sessions.isVisible()))
				await page.getByRole('button', { name: 'Open menu' }).click();
			const renamed = sessions.getByRole('link', { name: 'Renamed on the phone' });
			await longPress(page, renamed, options);
			await options.getByRole('menuitem', { name: 'Delete session' }).click();
			const confirm = page.getByRole('dialog', { name: 'Delete session?' });
			await snapshot(page, testInfo, '6-confirm');
			await confirm.getByRole('button', { name: 'Delete' }).click();
			await expect(renamed).toHaveCount(0);
			expect(page.url()).toBe(here);
		});
	});
}
