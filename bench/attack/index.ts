import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { encodeFrame } from '../../src/lib/core/sync-codec.js';
import { subprotocol } from '../../src/lib/core/sync-protocol.js';
import { defaultUpdateLimits } from '../../src/lib/core/update-shape.js';
import { startTether, testKey, type TetherServer } from '../../tests/server/harness.js';
import { rssBytes } from '../lib/proc.js';
import { summarize, type Summary } from '../lib/stats.js';
import { formatTable, mib, ms } from '../lib/table.js';
import { BenchClient } from '../lib/yclient.js';

/*
 * Issue 12: one account sends its worst input (the largest update the limits allow, a Y.Map
 * with more keys than they allow, repeated full-state sync step 1s) while another account edits
 * and someone polls /api/health. Figures: the other account's relay delay, health latency, the
 * server's event-loop delay p99 and its RSS, quiet and under attack.
 */

export interface AttackOptions {
	/** Seconds of each phase (quiet, then under attack). */
	seconds: number;
	entry: 'build' | 'source';
}

export interface AttackPhase {
	relay: Summary;
	health: Summary;
	loopDelayP99Ms: number;
	loopDelayMaxMs: number;
	rss: number;
}

export interface AttackResult {
	quiet: AttackPhase;
	attack: AttackPhase & { attackerFrames: number; attackerCloses: Record<string, number> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mapUpdate(keys: number): Uint8Array {
	const doc = new Y.Doc();
	doc.transact(() => {
		for (let i = 0; i < keys; i++) doc.getMap('m').set(`k${i}`, i);
	});
	return Y.encodeStateAsUpdate(doc);
}

async function health(server: TetherServer) {
	const started = performance.now();
	const res = await server.request('GET', '/api/health');
	const body = res.body as { loopDelayP99Ms?: number; loopDelayMaxMs?: number };
	return { ms: performance.now() - started, body };
}

/** The victim's relay delays and health latencies while `during` runs, for `seconds`. */
async function sample(
	server: TetherServer,
	victim: [BenchClient, BenchClient],
	seconds: number
): Promise<AttackPhase> {
	const relay: number[] = [];
	const healthMs: number[] = [];
	const [a, b] = victim;
	const deadline = performance.now() + seconds * 1000;
	let n = 0;
	const relayLoop = (async () => {
		while (performance.now() < deadline) {
			const word = `w${n++}`;
			const sent = performance.now();
			const arrived = new Promise<void>((resolve) => {
				const check = () => {
					if (b.doc.getText('t').toString().includes(word)) {
						b.doc.off('update', check);
						resolve();
					}
				};
				b.doc.on('update', check);
			});
			a.doc.getText('t').insert(0, word);
			await arrived;
			relay.push(performance.now() - sent);
			await sleep(100);
		}
	})();
	const healthLoop = (async () => {
		while (performance.now() < deadline) {
			healthMs.push((await health(server)).ms);
			await sleep(200);
		}
	})();
	await Promise.all([relayLoop, healthLoop]);
	const last = await health(server);
	const pid = server.process?.pid;
	return {
		relay: summarize(relay),
		health: summarize(healthMs),
		loopDelayP99Ms: last.body.loopDelayP99Ms ?? NaN,
		loopDelayMaxMs: last.body.loopDelayMaxMs ?? NaN,
		rss: pid ? rssBytes(pid) : NaN
	};
}

export async function runAttackBench(options: AttackOptions): Promise<AttackResult> {
	const largest = mapUpdate(defaultUpdateLimits.maxStructs);
	const overLimit = mapUpdate(defaultUpdateLimits.maxStructs * 4);
	const fullState = encodeFrame({ kind: 'step1', stateVector: new Uint8Array([0]) });
	const server = await startTether({ entry: options.entry });
	try {
		const victimToken = (await server.login(testKey('victim'))).token;
		const attackerToken = (await server.login(testKey('attacker'))).token;
		const protocols = (token: string) => [subprotocol.tether, `${subprotocol.authPrefix}${token}`];
		const victim: [BenchClient, BenchClient] = [
			new BenchClient(`${server.wsUrl}/sync/session.live`, protocols(victimToken)),
			new BenchClient(`${server.wsUrl}/sync/session.live`, protocols(victimToken))
		];
		await Promise.all(victim.map((c) => c.synced));
		// The quiet phase's loop delay is the figure since start: the attack phase follows it.
		const quiet = await sample(server, victim, options.seconds);

		let stop = false;
		let frames = 0;
		const closes: Record<string, number> = {};
		const attacker = (async () => {
			for (let i = 0; !stop; i++) {
				const ws = new WebSocket(
					`${server.wsUrl}/sync/session.atk${i % 10}`,
					protocols(attackerToken),
					{ perMessageDeflate: false }
				);
				ws.on('error', () => {});
				const closed = new Promise<void>((resolve) =>
					ws.on('close', (code, reason) => {
						const key = `${code} ${reason.toString()}`;
						closes[key] = (closes[key] ?? 0) + 1;
						resolve();
					})
				);
				await new Promise((resolve) => ws.once('open', resolve).once('close', resolve));
				if (ws.readyState !== WebSocket.OPEN) continue;
				const frame = i % 3 === 2 ? overLimit : largest;
				ws.send(encodeFrame({ kind: 'update', update: frame }));
				for (let k = 0; k < 20; k++) ws.send(fullState);
				frames += 21;
				await Promise.race([closed, sleep(1000)]);
				ws.terminate();
			}
		})();
		const attack = await sample(server, victim, options.seconds);
		stop = true;
		await attacker;
		await Promise.all(victim.map((c) => c.close()));
		return { quiet, attack: { ...attack, attackerFrames: frames, attackerCloses: closes } };
	} finally {
		await server.close();
	}
}

export function attackTables(result: AttackResult): string[] {
	const row = (name: string, phase: AttackPhase) => [
		name,
		ms(phase.relay.p50),
		ms(phase.relay.p99),
		ms(phase.relay.max),
		ms(phase.health.p99),
		ms(phase.health.max),
		ms(phase.loopDelayP99Ms),
		mib(phase.rss)
	];
	return [
		formatTable(
			'Another account while one attacks (goal: relay < 250 ms, health < 1 s)',
			[
				'phase',
				'relay p50',
				'relay p99',
				'relay max',
				'health p99',
				'health max',
				'loop delay p99',
				'server RSS'
			],
			[row('quiet', result.quiet), row('under attack', result.attack)]
		),
		`attacker: ${result.attack.attackerFrames} frames; closes: ${JSON.stringify(result.attack.attackerCloses)}`
	];
}
