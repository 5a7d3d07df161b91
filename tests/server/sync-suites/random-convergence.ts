import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncProvider } from '../../../src/lib/sync/provider.js';
import { waitFor, type TetherServer } from '../harness.js';
import { connect, type Account } from '../sync-client.js';
import type { LiveContext } from './context.js';
import { seeded as prng } from '../../lib/seeded.js';

let server: TetherServer;
let alice: Account;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function edit(doc: Y.Doc, random: () => number, step: number): void {
	const text = doc.getText('t');
	const roll = random();
	if (roll < 0.45) text.insert(Math.floor(random() * (text.length + 1)), `<${step}>`);
	else if (roll < 0.65 && text.length > 0) {
		const at = Math.floor(random() * text.length);
		text.delete(at, Math.min(text.length - at, 1 + Math.floor(random() * 4)));
	} else if (roll < 0.85) doc.getMap('m').set(`k${Math.floor(random() * 5)}`, step);
	else doc.getArray<number>('a').push([step]);
}

function snapshot(doc: Y.Doc) {
	return {
		text: doc.getText('t').toString(),
		map: doc.getMap('m').toJSON(),
		array: doc.getArray('a').toJSON()
	};
}

async function run(seed: number, docName: `session.${string}`): Promise<void> {
	const random = prng(seed);
	const replicas: SyncProvider[] = [0, 1, 2].map(() => connect(server, alice, docName));
	await Promise.all(replicas.map((r) => r.whenSynced));
	for (let step = 0; step < 150; step++) {
		const replica = replicas[Math.floor(random() * replicas.length)]!;
		const roll = random();
		if (roll < 0.08) replica.disconnect();
		else if (roll < 0.2) replica.connect();
		else edit(replica.doc, random, step);
		// Let some messages through now and then, so deliveries interleave with edits.
		if (random() < 0.3) await nextTurn();
	}
	for (const r of replicas) r.connect();
	try {
		await waitFor(() => replicas.every((r) => r.status === 'synced'), {
			timeoutMs: 10_000,
			message: `every replica synced (seed ${seed})`
		});
	} catch (error) {
		// Failed once in a fresh-clone run and never since: say where each replica stood.
		const states = replicas.map((r) => r.status).join(', ');
		throw new Error(
			`${error instanceof Error ? error.message : String(error)}; replicas: ${states}\n` +
				`server said:\n${server.output().slice(-3000)}`
		);
	}
	// What a new device gets from the server alone.
	const reference = connect(server, alice, docName, new Y.Doc(), { awareness: null });
	await reference.whenSynced;
	const expected = snapshot(reference.doc);
	for (const r of replicas) {
		expect(snapshot(r.doc), `seed ${seed}`).toEqual(expected);
		expect(Y.encodeStateVector(r.doc), `seed ${seed}`).toEqual(Y.encodeStateVector(reference.doc));
		r.destroy();
	}
	reference.destroy();
}

// Pinned seeds run every time; one fresh seed per run widens the search. A failing seed is
// printed in the assertion message: pin it here as a named regression test.
const fresh = Number(process.env.SYNC_SEED ?? Math.floor(Math.random() * 2 ** 31));

export function randomConvergence(ctx: LiveContext): void {
	beforeAll(() => {
		({ server, alice } = ctx);
	});
	describe('[SY] seeded random convergence through the real server (R1, R5)', () => {
		for (const seed of [1, 42, 20240601]) {
			it(`[SY50] three replicas with random edits and disconnects converge (seed ${seed})`, async () => {
				await run(seed, `session.seed-${seed}`);
			});
		}
		it(`[SY50] three replicas converge (fresh seed ${fresh})`, async () => {
			await run(fresh, `session.fresh-${fresh}`);
		});
	});
}
