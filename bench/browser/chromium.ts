import fs from 'node:fs';
import { chromium, type BrowserContext, type Page } from '@playwright/test';

/** The same Chromium the end-to-end tests use (see playwright.config.ts). */
export function chromiumExecutable(): string | undefined {
	const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
	if (fromEnv) return fromEnv;
	if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
	return undefined;
}

/**
 * A persistent profile in `userDataDir`, so IndexedDB lives on disk as it does for a person
 * (a non-persistent context keeps it in memory, which would flatter the figures).
 */
export async function launchProfile(userDataDir: string): Promise<BrowserContext> {
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chromiumExecutable(),
		headless: true,
		viewport: { width: 1280, height: 800 },
		args: ['--disable-background-networking', '--disable-component-update', '--disable-sync']
	});
	// tsx compiles the bench with esbuild's keepNames, which wraps functions in `__name(...)`;
	// functions sent to page.evaluate carry that call into the page, so the page needs it too.
	await context.addInitScript('globalThis.__name ??= (f) => f;');
	return context;
}

/** Signs in through the UI with `apiKey` and creates a project named "Bench", which opens. */
export async function signInWithProject(page: Page, url: string, apiKey: string): Promise<void> {
	await page.goto(url);
	await page.getByRole('textbox', { name: 'Anthropic API key' }).fill(apiKey);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'New project' }).click();
	const dialog = page.getByRole('dialog');
	await dialog.getByRole('textbox', { name: 'Name' }).fill('Bench');
	await dialog.getByRole('button', { name: 'Create' }).click();
	await dialog.waitFor({ state: 'hidden' });
}
