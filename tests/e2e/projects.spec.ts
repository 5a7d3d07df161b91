import { invalidKey } from '../server/harness.js';
import { createProject, expect, newSession, openProject, send, signIn, test } from './fixtures.js';

test.describe('sign-in', () => {
	test('signs in with a key and shows the projects', async ({ page, apiKey }) => {
		await signIn(page, apiKey);
		await expect(page.getByRole('button', { name: 'New project' })).toBeVisible();
	});

	test('refuses a key that is not shaped like an Anthropic key, with a message', async ({
		page
	}) => {
		await page.goto('/');
		await page.getByRole('textbox', { name: 'Anthropic API key' }).fill('hello-not-a-key');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('alert')).toContainText('keys start with "sk-ant-"');
		await expect(page.getByRole('navigation', { name: 'Projects' })).toHaveCount(0);
	});

	test('refuses a key the API refuses, in words', async ({ page }) => {
		await page.goto('/');
		await page.getByRole('textbox', { name: 'Anthropic API key' }).fill(invalidKey());
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('alert')).toContainText('Invalid API key');
	});
});

test.describe('projects', () => {
	test('creates, renames and deletes a project with its sessions', async ({ page, apiKey }) => {
		await signIn(page, apiKey);
		await createProject(page, 'Alpha');
		await createProject(page, 'Beta');
		const projects = page.getByRole('navigation', { name: 'Projects' });

		await projects
			.getByRole('listitem')
			.filter({ hasText: 'Alpha' })
			.getByRole('button', { name: 'Project options' })
			.click();
		await page.getByRole('menuitem', { name: 'Rename' }).click();
		const rename = page.getByRole('dialog', { name: 'Rename project' });
		await rename.getByRole('textbox', { name: 'Name' }).fill('Alpha two');
		await rename.getByRole('button', { name: 'Save' }).click();
		await expect(projects.getByRole('link', { name: 'Alpha two' })).toBeVisible();

		await openProject(page, 'Alpha two');
		await newSession(page);
		await send(page, 'a message in Alpha');
		const sessionUrl = page.url();

		await projects
			.getByRole('listitem')
			.filter({ hasText: 'Alpha two' })
			.getByRole('button', { name: 'Project options' })
			.click();
		await page.getByRole('menuitem', { name: 'Delete project' }).click();
		const confirm = page.getByRole('dialog');
		await expect(confirm).toContainText('Alpha two');
		await confirm.getByRole('button', { name: 'Delete' }).click();
		await expect(projects.getByRole('link', { name: 'Alpha two' })).toHaveCount(0);
		await expect(projects.getByRole('link', { name: 'Beta' })).toBeVisible();

		// Its session is gone too, also by its own URL and after a reload.
		await page.goto(sessionUrl);
		await expect(page.getByRole('heading', { name: 'Project not found' })).toBeVisible();
		await page.reload();
		await expect(page.getByRole('heading', { name: 'Project not found' })).toBeVisible();
	});

	test('[PW16] a start at / opens the project last shown here; a deleted one never', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await createProject(page, 'Alpha');
		await createProject(page, 'Beta');
		await createProject(page, 'Gamma');
		await openProject(page, 'Beta');
		await page.goto('/');
		await expect(page.getByRole('heading', { level: 1, name: 'Beta', exact: true })).toBeVisible();
		await expect(page).toHaveURL(/\/p\/[^/]+$/);

		await openProject(page, 'Gamma');
		await page
			.getByRole('navigation', { name: 'Projects' })
			.getByRole('listitem')
			.filter({ hasText: 'Gamma' })
			.getByRole('button', { name: 'Project options' })
			.click();
		await page.getByRole('menuitem', { name: 'Delete project' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
		await page.goto('/');
		await expect(page.getByRole('heading', { level: 1, name: /^(Alpha|Beta)$/ })).toBeVisible();
		await expect(page.getByRole('heading', { name: 'Project not found' })).toHaveCount(0);
	});

	test('refuses an empty project name with a message and keeps the dialog open', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		await page.getByRole('button', { name: 'New project' }).click();
		const dialog = page.getByRole('dialog', { name: 'New project' });
		await dialog.getByRole('textbox', { name: 'Name' }).fill('   ');
		await dialog.getByRole('button', { name: 'Create' }).click();
		await expect(dialog.getByRole('alert')).toHaveText('Project name cannot be empty.');
		await expect(dialog).toBeVisible();
	});

	test('keeps a 10,000-character name whole without breaking the layout', async ({
		page,
		apiKey
	}) => {
		await signIn(page, apiKey);
		const long = 'Long'.repeat(2500);
		await createProject(page, long);
		const link = page.getByRole('navigation', { name: 'Projects' }).getByRole('link');
		await expect(link).toHaveAttribute('title', long);
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow).toBe(0);
		const box = await link.boundingBox();
		expect(box?.width ?? Infinity).toBeLessThan(300);
		await page.reload();
		await expect(link).toHaveAttribute('title', long);
	});

	test('project information is saved as it is typed', async ({ page, apiKey }) => {
		await signIn(page, apiKey);
		await createProject(page, 'Notes');
		const info = page.getByRole('textbox', { name: 'Project information' });
		await info.fill('We use tabs.\nTests come first.');
		await page.reload();
		await expect(info).toHaveValue('We use tabs.\nTests come first.');
	});
});
