import fs from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { chromium } from '@playwright/test';

// Which Chromium runs the browser tests: PLAYWRIGHT_CHROMIUM_EXECUTABLE, else Debian's,
// else Playwright's own download. Fail in one line when there is none.
function chromiumExecutable(): string | undefined {
	const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
	if (fromEnv) return fromEnv;
	if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
	let bundled = '';
	try {
		bundled = chromium.executablePath();
	} catch {
		bundled = '';
	}
	if (bundled && fs.existsSync(bundled)) return undefined;
	throw new Error(
		'No Chromium found: install it (apt-get install chromium) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE.'
	);
}

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: process.env.CI ? 2 : 2,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? [['list']] : [['list']],
	use: {
		...devices['Desktop Chrome'],
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: chromiumExecutable(),
			args: ['--disable-background-networking', '--disable-component-update', '--disable-sync']
		}
	}
});
