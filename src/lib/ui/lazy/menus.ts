export { default as SessionMenus } from '$lib/ui/sessions/SessionMenus.svelte';
export { default as ProjectMenu } from '$lib/ui/projects/ProjectMenu.svelte';
