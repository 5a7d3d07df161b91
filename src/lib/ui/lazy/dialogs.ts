export { default as NameDialog } from '$lib/ui/dialog/NameDialog.svelte';
export { default as ConfirmDialog } from '$lib/ui/dialog/ConfirmDialog.svelte';
export { default as SignOutDialog } from '$lib/ui/shell/SignOutDialog.svelte';
export { default as UsageDialog } from '$lib/ui/usage/UsageDialog.svelte';
