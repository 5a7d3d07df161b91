import { waitFor } from '../../tests/server/harness.js';
import { BenchClient } from '../lib/yclient.js';
import { runProviderScript } from './external.js';

/**
 * Shows that the bench's minimal client speaks Hocuspocus's protocol as `@hocuspocus/provider`
 * does: in one document, an edit from each reaches the other through the server under test.
 */
export async function checkAgainstProvider(wsUrl: string): Promise<void> {
	const document = 'provider-check';
	const client = new BenchClient(wsUrl, [], { kind: 'hocuspocus', document });
	try {
		await client.synced;
		const items = client.doc.getArray<string>('bench');
		const provider = runProviderScript(wsUrl, document);
		items.push(['bench client']);
		await Promise.all([
			provider,
			waitFor(() => items.toArray().includes('provider'), {
				timeoutMs: 10_000,
				message: "the provider's edit to reach the bench client"
			})
		]);
	} finally {
		await client.close();
		client.doc.destroy();
	}
}
