import { randomBytes } from 'node:crypto';
import { startTether, type TetherServer } from '../../tests/server/harness.js';
import { startPostgres, startRedis } from '../../tests/server/services.js';
import { rssBytes } from '../lib/proc.js';
import { formatTable, mib, ms } from '../lib/table.js';
import { BenchClient } from '../lib/yclient.js';
import { measureRelay, type RelayResult } from '../sync/relay.js';

/*
 * Issue 13: several instances on PostgreSQL and Redis. The same relay load as the sync bench
 * (clients over documents, each appending at a fixed rate), with the two clients of every
 * document on different instances whenever there are several, so every measured update crosses
 * Redis. Instances, PostgreSQL and Redis are real processes on this machine.
 */

export interface InstancesBenchOptions {
	counts: number[];
	clients: number;
	docs: number;
	/** Edits per second per client. */
	rate: number;
	seconds: number;
}

export interface InstancesRun {
	instances: number;
	relay: RelayResult;
	/** Each instance's RSS after the run. */
	rssBytes: number[];
}

export interface InstancesBenchResult {
	options: InstancesBenchOptions;
	runs: InstancesRun[];
}

export async function runInstancesBench(
	options: InstancesBenchOptions
): Promise<InstancesBenchResult> {
	const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
	const runs: InstancesRun[] = [];
	try {
		for (const [i, count] of options.counts.entries()) {
			console.log(`instances: relay through ${count} instance(s) ...`);
			const env = {
				DATABASE_URL: postgres.url,
				REDIS_URL: redis.url,
				TETHER_SECRET: randomBytes(32).toString('base64url'),
				TETHER_MAX_SOCKETS_PER_ACCOUNT: '100000'
			};
			const servers: TetherServer[] = [];
			try {
				// One after the other: the first applies the migrations.
				for (let n = 0; n < count; n++) servers.push(await startTether({ entry: 'build', env }));
				const { token } = await servers[0]!.login();
				let connected = 0;
				const relay = await measureRelay(
					{
						name: `${count} instance(s)`,
						pid: servers[0]!.process?.pid ?? 0,
						pids: servers.map((s) => s.process?.pid ?? 0),
						// Client j edits document j % docs; its partner is j + docs: spread them so the
						// two are on different instances (and all instances take clients).
						connect: (doc) => {
							const j = connected++;
							const at = (Math.floor(j / options.docs) + (j % options.docs)) % count;
							return new BenchClient(`${servers[at]!.wsUrl}/sync/${doc}`, [
								'tether.v1',
								`tether.auth.${token}`
							]);
						},
						acks: true
					},
					{
						clients: options.clients,
						docs: options.docs,
						seed: 100 + i,
						connectConcurrency: 20,
						intervalMs: 1000 / options.rate,
						warmup: Math.max(3, Math.ceil(options.rate)),
						updatesPerClient: Math.ceil(options.rate * options.seconds)
					}
				);
				runs.push({
					instances: count,
					relay,
					rssBytes: servers.map((s) => rssBytes(s.process?.pid ?? 0))
				});
			} finally {
				await Promise.all(servers.map((s) => s.close()));
			}
		}
	} finally {
		await Promise.all([redis.stop(), postgres.stop()]);
	}
	return { options, runs };
}

export function instancesTables(result: InstancesBenchResult): string[] {
	const single = result.runs.find((r) => r.instances === 1)?.relay.relay.p99;
	const { clients, docs, rate } = result.options;
	return [
		formatTable(
			`Several instances on PostgreSQL and Redis: ${clients} clients over ${docs} documents, ` +
				`${rate} edit/s each, partners on different instances`,
			[
				'instances',
				'relay p50',
				'relay p99',
				'p99 / 1 instance',
				'stored ack p99',
				'relayed/s',
				'missing',
				'CPU/update (all)',
				'RSS per instance'
			],
			result.runs.map((run) => [
				run.instances,
				ms(run.relay.relay.p50),
				ms(run.relay.relay.p99),
				single ? `${(run.relay.relay.p99 / single).toFixed(2)} (goal < 2)` : 'n/a',
				run.relay.stored ? ms(run.relay.stored.p99) : 'n/a',
				Math.round(run.relay.relayedPerSecond),
				run.relay.missing,
				`${Math.round(run.relay.cpuMicrosPerUpdate)} µs`,
				run.rssBytes.map(mib).join(', ')
			])
		)
	];
}
