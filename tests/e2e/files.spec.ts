import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from '@playwright/test';
import {
	createProject,
	device,
	expect,
	openProject,
	signIn,
	syncStatus,
	test
} from './fixtures.js';

/*
 * The project workspace's "Files" region: a person's files, synced to every device ([FS3]-[FS8]).
 * The rules themselves (paths, limits, tree, zip) are unit-tested in src/lib/core.
 */

const filesOf = (page: Page) => page.getByRole('region', { name: 'Files' });

async function newFile(page: Page, name: string): Promise<void> {
	await filesOf(page).getByRole('button', { name: 'New file' }).click();
	const dialog = page.getByRole('dialog', { name: 'New file' });
	await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
	await dialog.getByRole('button', { name: 'Create' }).click();
	await expect(dialog).toBeHidden();
}

/** Which of `texts` are anywhere in the server's DATA_DIR files. */
function onServerDisk(dataDir: string, texts: string[]): string[] {
	const files = fs
		.readdirSync(dataDir, { withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => fs.readFileSync(path.join(dataDir, entry.name)));
	return texts.filter((text) => files.some((bytes) => bytes.includes(Buffer.from(text, 'utf8'))));
}

test.describe('[FS] the Files region', () => {
	test('[FS7] [FS6] a file created, edited, renamed and deleted on A follows on B; its text leaves the server', async ({
		browser,
		apiKey,
		tether
	}) => {
		const a = await device(browser, apiKey);
		await createProject(a, 'Workspace');
		const filesA = filesOf(a);

		// A bad name is refused in words and nothing is made.
		await filesA.getByRole('button', { name: 'New file' }).click();
		const dialog = a.getByRole('dialog', { name: 'New file' });
		await dialog.getByRole('textbox', { name: 'Name' }).fill('../outside.md');
		await dialog.getByRole('button', { name: 'Create' }).click();
		await expect(dialog.getByRole('alert')).toContainText('points outside the workspace');
		await dialog.getByRole('button', { name: 'Cancel' }).click();

		await newFile(a, ' /notes//todo.md ');
		const secret = `Buy milk 🥛 ${Date.now()} שלום`;
		await filesA.getByRole('textbox', { name: 'notes/todo.md' }).fill(secret);

		const b = await device(browser, apiKey);
		await openProject(b, 'Workspace');
		const filesB = filesOf(b);
		await expect(filesB.getByRole('button', { name: 'notes', exact: true })).toBeVisible();
		await filesB.getByRole('button', { name: 'todo.md' }).click();
		const editorB = filesB.getByRole('textbox', { name: 'notes/todo.md' });
		await expect(editorB).toHaveValue(secret);
		await editorB.fill(`${secret}\nand bread`);
		await expect(filesA.getByRole('textbox', { name: 'notes/todo.md' })).toHaveValue(
			`${secret}\nand bread`
		);

		await filesA.getByRole('button', { name: 'Rename file' }).click();
		const rename = a.getByRole('dialog', { name: 'Rename file' });
		await rename.getByRole('textbox', { name: 'Name' }).fill('done.md');
		await rename.getByRole('button', { name: 'Save' }).click();
		await expect(rename).toBeHidden();
		await expect(filesB.getByRole('button', { name: 'done.md' })).toBeVisible();
		await expect(filesB.getByRole('button', { name: 'todo.md' })).toHaveCount(0);
		// B had the file open under its old name: the editor closed rather than show a stale file.
		await expect(editorB).toHaveCount(0);

		await filesA.getByRole('button', { name: 'Delete file' }).click();
		const confirm = a.getByRole('dialog', { name: 'Delete file?' });
		await expect(confirm).toContainText('done.md');
		await confirm.getByRole('button', { name: 'Cancel' }).click();
		await expect(filesA.getByRole('textbox', { name: 'done.md' })).toBeVisible();
		await filesA.getByRole('button', { name: 'Delete file' }).click();
		await confirm.getByRole('button', { name: 'Delete' }).click();
		await expect(filesA.getByRole('button', { name: 'done.md' })).toHaveCount(0);
		await expect(filesB.getByRole('button', { name: 'done.md' })).toHaveCount(0);
		await expect(filesB).toContainText('No files yet');

		// Synced means the server stored the deletion, and it scrubs before it acknowledges.
		await expect(syncStatus(a)).toHaveText('Synced');
		await expect(syncStatus(b)).toHaveText('Synced');
		expect(onServerDisk(tether.dataDir, [secret, 'and bread'])).toEqual([]);
	});

	test('[FS4] uploads several text files at once; binary and oversized dropped files are refused, saying the limit', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Uploads');
		const files = filesOf(page);

		const chooser = page.waitForEvent('filechooser');
		await files.getByRole('button', { name: 'Upload files' }).click();
		await (
			await chooser
		).setFiles([
			{ name: 'one.md', mimeType: 'text/markdown', buffer: Buffer.from('# One 🙂') },
			{ name: 'two.txt', mimeType: 'text/plain', buffer: Buffer.from('two') }
		]);
		await expect(files.getByRole('button', { name: 'one.md' })).toBeVisible();
		await expect(files.getByRole('button', { name: 'two.txt' })).toBeVisible();

		// Dropped on the region: a text file, a binary one and one over the size limit.
		await files.evaluate((region) => {
			const transfer = new DataTransfer();
			transfer.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }));
			transfer.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])], 'x.png'));
			const huge = new Uint8Array(1024 * 1024 + 1).fill(0x61);
			transfer.items.add(new File([huge], 'huge.log', { type: 'text/plain' }));
			region.dispatchEvent(
				new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
			);
		});
		const refused = files.getByRole('alert');
		await expect(refused).toContainText('"x.png" is a binary file; only text files can be added.');
		await expect(refused).toContainText('"huge.log" is larger than 1 MB, the limit');
		await expect(files.getByRole('button', { name: 'dropped.txt' })).toBeVisible();
		await expect(files.getByRole('button', { name: 'x.png' })).toHaveCount(0);
		await expect(files.getByRole('button', { name: 'huge.log' })).toHaveCount(0);
		// Dropped on Files, the files are the project's files only: the page's own drop target
		// (Import, [LB7]) leaves them alone. An import of them would report within a moment.
		await page.waitForTimeout(1000);
		const report = page
			.getByRole('status', { name: 'Import report' })
			.or(page.getByRole('alert', { name: 'Import report' }));
		await expect(report).toHaveCount(0);

		await files.getByRole('button', { name: 'one.md' }).click();
		await expect(files.getByRole('textbox', { name: 'one.md' })).toHaveValue('# One 🙂');
	});

	test('[FS5] [FS8] Download all saves the workspace as a zip; the region fits a phone', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Zip me');
		const files = filesOf(page);
		await newFile(page, 'README.md');
		await files.getByRole('textbox', { name: 'README.md' }).fill('# Hello 👩‍💻');
		await newFile(page, `src/${'deep/'.repeat(12)}${'long-name-'.repeat(8)}.ts`);
		await files.getByRole('textbox', { name: /long-name/ }).fill('export {};');

		// On a phone nothing scrolls sideways and every control of the region is fingertip-sized.
		await page.setViewportSize({ width: 390, height: 844 });
		await expect(page.getByRole('button', { name: 'Open menu' })).toBeVisible();
		const overflow = await page.evaluate(() => {
			const root = document.documentElement;
			const scrollers = [...document.querySelectorAll<HTMLElement>('body *')].filter(
				(el) =>
					['auto', 'scroll'].includes(getComputedStyle(el).overflowX) &&
					el.scrollWidth > el.clientWidth + 1
			);
			return [
				...(root.scrollWidth > root.clientWidth ? ['page'] : []),
				...scrollers.map((el) => el.className || el.tagName)
			];
		});
		expect(overflow).toEqual([]);
		const small = await files.evaluate((region) =>
			[...region.querySelectorAll('button')]
				.map((el) => ({ name: el.textContent?.trim(), box: el.getBoundingClientRect() }))
				.filter(({ box }) => box.width < 44 || box.height < 44)
				.map(({ name }) => name)
		);
		expect(small).toEqual([]);

		const download = page.waitForEvent('download');
		await files.getByRole('button', { name: 'Download all' }).click();
		const saved = await download;
		expect(saved.suggestedFilename()).toBe('Zip me.zip');
		const unpacked = unzipSync(new Uint8Array(fs.readFileSync(await saved.path())));
		expect(Object.keys(unpacked).sort()).toEqual([
			'README.md',
			`src/${'deep/'.repeat(12)}${'long-name-'.repeat(8)}.ts`
		]);
		expect(strFromU8(unpacked['README.md']!)).toBe('# Hello 👩‍💻');
	});
});
