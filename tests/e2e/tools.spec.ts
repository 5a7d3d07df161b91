import { declinedResult } from '../../src/lib/core/tools/approval.js';
import {
	answers,
	ask,
	createProject,
	device,
	expect,
	newSession,
	openProject,
	test
} from './fixtures.js';

type Sent = { messages: { role: string; content: Record<string, unknown>[] }[] };

test.beforeEach(({ tether }) => tether.fake.reset());

test('[TL30] a write waits for approval; B approves the run A started; the record and the file show on both (S11)', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Approvals');
	await expect(a.getByRole('checkbox', { name: 'Ask before changing files' })).toBeChecked();
	await newSession(a);
	const b = await device(browser, apiKey);
	await b.goto(a.url());
	await expect(b.getByRole('textbox', { name: 'Message' })).toBeVisible();

	tether.fake.script(
		{
			blocks: [
				{ type: 'text', text: 'I will write the plan.' },
				{
					type: 'tool_use',
					name: 'write_file',
					input: { path: 'notes/plan.md', content: 'Step 1 🚀\n' }
				}
			]
		},
		{ blocks: [{ type: 'text', text: 'Saved the plan.' }] }
	);
	await ask(a, 'Write the plan');
	// Both devices see the pending change; B answers first.
	await expect(a.getByRole('button', { name: 'Approve', exact: true })).toBeVisible();
	await b.getByRole('button', { name: 'Approve', exact: true }).click();
	for (const page of [a, b]) {
		await expect(answers(page).last()).toContainText('Saved the plan.');
		await expect(page.getByRole('button', { name: 'Approve', exact: true })).toBeHidden();
		await expect(
			page.getByRole('button', { name: 'write_file notes/plan.md · +1 −0' })
		).toBeVisible();
	}
	await b.getByRole('button', { name: /^write_file/ }).click();
	await expect(answers(b).first()).toContainText('+Step 1 🚀');
	await expect(answers(b).first()).toContainText('Created "notes/plan.md" (1 line).');
	const second = tether.fake.requestsTo('/v1/messages')[1]?.body as Sent;
	expect(second.messages.at(-1)?.content[0]).toMatchObject({
		type: 'tool_result',
		content: 'Created "notes/plan.md" (1 line).'
	});
	// The file Claude wrote is in the project's "Files" region on both devices.
	for (const page of [a, b]) {
		await openProject(page, 'Approvals');
		const files = page.getByRole('region', { name: 'Files' });
		await files.getByRole('button', { name: 'plan.md', exact: true }).click();
		await expect(files.getByRole('textbox', { name: 'notes/plan.md' })).toHaveValue('Step 1 🚀\n');
	}
});

test('[TL31] Deny sends Claude a declined error result and the run goes on', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Denials');
	await newSession(a);
	tether.fake.script(
		{ blocks: [{ type: 'tool_use', name: 'delete_file', input: { path: 'README.md' } }] },
		{ blocks: [{ type: 'text', text: 'Understood, nothing deleted.' }] }
	);
	await ask(a, 'Clean up');
	await a.getByRole('button', { name: 'Deny' }).click();
	await expect(answers(a).last()).toContainText('Understood, nothing deleted.');
	await expect(
		a.getByRole('log', { name: 'Conversation' }).getByText('declined', { exact: true })
	).toBeVisible();
	const second = tether.fake.requestsTo('/v1/messages')[1]?.body as Sent;
	expect(second.messages.at(-1)?.content[0]).toMatchObject({
		type: 'tool_result',
		is_error: true,
		content: declinedResult
	});
});

test('[TL32] with "Ask before changing files" off on one device, runs change files without asking', async ({
	browser,
	apiKey,
	tether
}) => {
	const a = await device(browser, apiKey);
	await createProject(a, 'Trusted');
	const b = await device(browser, apiKey);
	await b.goto(a.url());
	await a.getByRole('checkbox', { name: 'Ask before changing files' }).uncheck();
	await expect(b.getByRole('checkbox', { name: 'Ask before changing files' })).not.toBeChecked();
	await newSession(b);
	tether.fake.script(
		{ blocks: [{ type: 'tool_use', name: 'write_file', input: { path: 'a.txt', content: 'x' } }] },
		{ blocks: [{ type: 'text', text: 'Wrote it.' }] }
	);
	await ask(b, 'Write a.txt');
	await expect(answers(b).last()).toContainText('Wrote it.');
	await expect(b.getByRole('button', { name: 'write_file a.txt · +1 −0' })).toBeVisible();
});
