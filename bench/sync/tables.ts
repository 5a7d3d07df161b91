import { formatTable, mib, ms, type Cell } from '../lib/table.js';
import type { SyncBenchResult } from './index.js';
import type { MemoryResult } from './memory.js';
import type { RelayResult } from './relay.js';

/** The rate issue 7's goal is set at: edits per second per client. */
const goalRate = 10;

const micros = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} µs` : 'n/a');
const ratio = (value: number) => value.toFixed(2);

export function syncTables(result: SyncBenchResult): string[] {
	return [...latencyTables(result), burstTable(result), ...memoryTables(result)];
}

function latencyTables({ options, servers, ratios }: SyncBenchResult): string[] {
	const { tether, reference, hocuspocus } = servers;
	const row = (r: RelayResult, rate: number, what: string, s = r.relay): Cell[] => [
		r.target,
		`${rate}/s`,
		what,
		s.count,
		ms(s.p50),
		ms(s.p90),
		ms(s.p99),
		ms(s.max),
		r.missing,
		micros(r.cpuMicrosPerUpdate)
	];
	const rows = options.rates.flatMap((rate, i) => {
		const at = (server: typeof tether) => server.paced[i] as RelayResult;
		const ours = at(tether);
		return [
			row(ours, rate, 'edit -> other client'),
			row(at(reference), rate, 'edit -> other client'),
			row(at(hocuspocus), rate, 'edit -> other client'),
			...(ours.stored ? [row(ours, rate, 'edit -> stored ack', ours.stored)] : [])
		];
	});
	const latency = formatTable(
		`Sync relay: ${options.relay.clients} clients over ${options.relay.docs} documents, each ` +
			`client editing at the rate shown (its own seeded offset) for ${options.seconds} measured s`,
		[
			'server',
			'edits/client',
			'measure',
			'samples',
			'p50',
			'p90',
			'p99',
			'max',
			'missing',
			'server CPU/update'
		],
		rows
	);
	const ratioTable = formatTable(
		'Relay latency ratios (edit -> other client)',
		['edits/client', 'tether / ...', 'p50', 'p99', 'goal'],
		ratios.flatMap((r) => [
			[
				`${r.rate}/s`,
				'reference',
				ratio(r.reference.p50),
				ratio(r.reference.p99),
				r.rate === goalRate ? 'p99 <= 1.00' : ''
			],
			[`${r.rate}/s`, 'Hocuspocus', ratio(r.hocuspocus.p50), ratio(r.hocuspocus.p99), '']
		])
	);
	const atGoal = ratios.find((r) => r.rate === goalRate);
	const goal = atGoal
		? `Goal: tether p99 no worse than the reference's at ${goalRate} edits/s per client ` +
			`(ratio <= 1.00) while "stored" means fsynced: ${
				atGoal.reference.p99 <= 1 ? 'met' : 'not met'
			} (${ratio(atGoal.reference.p99)}).`
		: `Goal (p99 ratio <= 1.00) is set at ${goalRate} edits/s per client, not run here.`;
	return [latency, ratioTable, goal];
}

function burstTable({ options, servers }: SyncBenchResult): string {
	const { tether, reference, hocuspocus } = servers;
	return formatTable(
		`Sync throughput: ${options.relay.clients} clients each send ` +
			`${options.burstUpdatesPerClient} edits at once`,
		['server', 'edits', 'relayed/s', 'p50 wait', 'p99 wait', 'missing', 'server CPU/update'],
		[tether.burst, reference.burst, hocuspocus.burst].map((r) => [
			r.target,
			r.relay.count,
			Math.round(r.relayedPerSecond),
			ms(r.relay.p50),
			ms(r.relay.p99),
			r.missing,
			micros(r.cpuMicrosPerUpdate)
		])
	);
}

function memoryTables({ memory, options }: SyncBenchResult): string[] {
	const rounds = memory.rounds;
	const last = rounds[rounds.length - 1];
	const first = rounds[0];
	const table = formatTable(
		`Server memory (RSS): ${memory.docs} session documents of ${memory.messagesPerDoc} messages, ` +
			`one socket each; idle unload after ${options.idleMs} ms; ${memory.cycles} open/close cycles`,
		['state', 'RSS', 'vs baseline', 'open all', 'unload all'],
		[
			['baseline (signed in, no documents)', mib(memory.baselineRss), '', '', ''],
			...(first ? roundRows(first, memory.baselineRss, memory.docs) : []),
			...(last && last !== first ? roundRows(last, memory.baselineRss, memory.docs) : [])
		]
	);
	const trend =
		'Idle RSS after each round (MiB): ' +
		rounds.map((r) => (r.idleRss / 1024 / 1024).toFixed(0)).join(', ') +
		'. RSS includes garbage V8 has not collected yet: a leak shows as growth that does not level off.';
	return [table, trend];
}

function roundRows(r: MemoryResult['rounds'][number], baseline: number, docs: number) {
	const delta = (rss: number) => `${rss >= baseline ? '+' : ''}${mib(rss - baseline)}`;
	return [
		[`round ${r.round}: ${docs} loaded`, mib(r.loadedRss), delta(r.loadedRss), ms(r.openMs), ''],
		[`round ${r.round}: all idle, unloaded`, mib(r.idleRss), delta(r.idleRss), '', ms(r.unloadMs)]
	];
}
