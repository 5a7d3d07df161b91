// Renders the app icons from the SVGs in scripts/icons/ with Chromium (through Playwright), so
// the PNGs in static/icons/ can be made again the same way: `node scripts/icons.js`.
// The maskable icon fills its square and keeps the mark inside the central safe circle
// (radius 40%), which launchers crop to their own shape.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = (name) => fs.readFileSync(path.join(root, 'scripts/icons', name), 'utf8');
const outputs = [
	{ file: 'icon-192.png', svg: 'icon.svg', size: 192 },
	{ file: 'icon-512.png', svg: 'icon.svg', size: 512 },
	{ file: 'icon-maskable-512.png', svg: 'icon-maskable.svg', size: 512 },
	// iOS rounds the corners itself and shows transparency as black: a full square.
	{ file: 'apple-touch-icon.png', svg: 'icon-maskable.svg', size: 180 }
];

const executablePath =
	process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ||
	(fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({ executablePath });
try {
	const page = await browser.newPage({ deviceScaleFactor: 1 });
	for (const { file, svg, size } of outputs) {
		await page.setViewportSize({ width: size, height: size });
		const markup = source(svg).replace('<svg ', `<svg width="${size}" height="${size}" `);
		await page.setContent(
			`<html><body style="margin:0;background:transparent">${markup}</body></html>`
		);
		const out = path.join(root, 'static/icons', file);
		await page.locator('svg').screenshot({ path: out, omitBackground: true });
		console.log(`wrote static/icons/${file} (${size}x${size})`);
	}
} finally {
	await browser.close();
}
