import { Lazy } from './lazy.svelte';

/** The sidebar's menus (bits-ui with floating-ui), loaded on the first open of any of them. */
export const menus = new Lazy(() => import('./menus'));

/** The dialogs (bits-ui's dialog with its focus trap), loaded on the first open of any of them. */
export const dialogs = new Lazy(() => import('./dialogs'));
