import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { lastProject } from '$lib/store/last-project';

// A start at "/" (the installed app's start URL) goes straight to the project last shown on this
// device, before IndexedDB is open: its code and session list load without waiting for a query.
export function load(): void {
	const projectId = lastProject();
	if (projectId) redirect(307, resolve('/p/[projectId]', { projectId }));
}
