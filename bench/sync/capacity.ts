import { formatTable, kib, mib } from '../lib/table.js';
import { startTether, waitFor, type TetherServer } from '../../tests/server/harness.js';
import { rssBytes } from '../lib/proc.js';
import { BenchClient } from '../lib/yclient.js';
import { writeMessages } from './memory.js';

export interface CapacityOptions {
	/** Accounts the sockets belong to (each signs in once). */
	accounts: number;
	/** Live session documents, spread over the accounts, each with `messagesPerDoc` messages. */
	docs: number;
	messagesPerDoc: number;
	/** Idle authenticated sockets to open in all, spread over the documents. */
	sockets: number;
	/** RSS is read after every `step` sockets. */
	step: number;
	connectConcurrency: number;
}

export interface CapacityStep {
	sockets: number;
	docs: number;
	rss: number;
}

export interface CapacityResult {
	options: CapacityOptions;
	baselineRss: number;
	/** RSS once the documents are loaded with one socket each, then after each step of sockets. */
	steps: CapacityStep[];
	/** RSS per idle socket beyond the first per document, from the first to the last step. */
	bytesPerSocket: number;
	/** RSS per live document (with its first socket), from the baseline. */
	bytesPerDoc: number;
	/** Sockets that would fit beside the documents under 512 MiB, by the per-socket figure. */
	socketsUnder512MiB: number;
}

const budget = 512 * 1024 * 1024;

/**
 * Issues 12 and 13: how many idle authenticated sockets and live documents one instance holds
 * under 512 MiB. Documents are written first (one socket each), then more idle sockets join them
 * until `sockets` are open; the server's RSS is read at each step. Idle means connected, synced
 * and silent, as a device with a session open and nobody typing.
 */
export async function runCapacityBench(options: CapacityOptions): Promise<CapacityResult> {
	const server = await startTether({
		entry: 'build',
		env: {
			TETHER_MAX_SOCKETS_PER_ACCOUNT: String(Math.ceil(options.sockets / options.accounts) + 10),
			TETHER_MAX_CONNECTIONS_PER_IP: String(options.sockets + 100)
		}
	});
	const clients: BenchClient[] = [];
	try {
		const pid = server.process?.pid;
		if (!pid) throw new Error('the server process is not running');
		const tokens: string[] = [];
		for (let a = 0; a < options.accounts; a++) {
			tokens.push((await server.login(`sk-ant-test-capacity-${a}`)).token);
		}
		await settle();
		const baselineRss = rssBytes(pid);
		const docUrl = (i: number) => ({
			url: `${server.wsUrl}/sync/session.cap${i}`,
			protocols: ['tether.v1', `tether.auth.${tokens[i % options.accounts]}`]
		});
		const open = async (from: number, to: number, write: boolean) => {
			for (let i = from; i < to; i += options.connectConcurrency) {
				const batch: BenchClient[] = [];
				for (let j = i; j < Math.min(to, i + options.connectConcurrency); j++) {
					const { url, protocols } = docUrl(j % options.docs);
					batch.push(new BenchClient(url, protocols));
				}
				await Promise.all(batch.map((c) => c.synced));
				if (write) await writeMessages(batch, i, options.messagesPerDoc);
				clients.push(...batch);
			}
		};
		const steps: CapacityStep[] = [];
		await open(0, options.docs, true);
		await waitForLoaded(server, options.docs);
		await settle();
		steps.push({ sockets: options.docs, docs: options.docs, rss: rssBytes(pid) });
		for (let n = options.docs; n < options.sockets;) {
			const next = Math.min(options.sockets, n + options.step);
			await open(n, next, false);
			n = next;
			await settle();
			steps.push({ sockets: n, docs: options.docs, rss: rssBytes(pid) });
		}
		const first = steps[0]!;
		const last = steps.at(-1)!;
		const bytesPerSocket =
			last.sockets > first.sockets ? (last.rss - first.rss) / (last.sockets - first.sockets) : 0;
		const bytesPerDoc = (first.rss - baselineRss) / options.docs;
		return {
			options,
			baselineRss,
			steps,
			bytesPerSocket,
			bytesPerDoc,
			socketsUnder512MiB:
				bytesPerSocket > 0
					? Math.floor(first.sockets + (budget - first.rss) / bytesPerSocket)
					: Infinity
		};
	} finally {
		await Promise.all(clients.map((c) => c.close()));
		for (const client of clients) client.doc.destroy();
		await server.close();
	}
}

async function waitForLoaded(server: TetherServer, docs: number): Promise<void> {
	await waitFor(
		async () =>
			(((await server.request('GET', '/api/health')).body as { loadedDocs?: number }).loadedDocs ??
				-1) >= docs,
		{ timeoutMs: 60_000, message: `${docs} loaded documents` }
	);
}

/** RSS right after a burst includes garbage V8 has not collected: give it a moment. */
function settle(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 2000));
}

export function capacityTables(r: CapacityResult): string[] {
	const { options } = r;
	const table = formatTable(
		`One instance (SQLite): ${options.docs} live documents of ${options.messagesPerDoc} messages ` +
			`over ${options.accounts} accounts, then idle authenticated sockets on them`,
		['sockets open', 'live documents', 'server RSS'],
		[
			['0 (signed in)', '0', mib(r.baselineRss)],
			...r.steps.map((s) => [String(s.sockets), String(s.docs), mib(s.rss)])
		]
	);
	const last = r.steps.at(-1);
	const goal =
		`Per live document (with its first socket) ${kib(r.bytesPerDoc)}, per further idle socket ` +
		`${kib(r.bytesPerSocket)}; at this rate ${r.socketsUnder512MiB.toLocaleString('en')} sockets ` +
		`fit beside the documents under 512 MiB. Goal: 10,000 sockets and 1,000 documents together ` +
		`under 512 MiB: ${
			last && last.sockets >= 10_000 && last.docs >= 1000
				? last.rss < budget
					? 'met'
					: 'not met'
				: 'not measured at that size'
		}${last ? ` (${mib(last.rss)} with ${last.sockets} sockets and ${last.docs} documents)` : ''}.`;
	return [table, goal];
}
