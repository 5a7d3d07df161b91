/**
 * The importer (worker, parser, writer) is loaded the first time someone imports; the button and
 * the report both read it from here once it is.
 */
type Importer = (typeof import('$lib/state/importer.svelte'))['importer'];

export const loaded = $state<{ importer?: Importer }>({});

export async function loadImporter(): Promise<Importer> {
	loaded.importer ??= (await import('$lib/state/importer.svelte')).importer;
	return loaded.importer;
}
