/**
 * The soak's three parts (`npm run soak`, tests/server/soak/) at small sizes with pinned seeds.
 * A seed that made the soak fail is pinned here, in the list of its part, as a regression test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTether, type TetherServer } from './harness.js';
import { signIn, type Account } from './sync-client.js';
import { runConvergence } from './soak/converge.js';
import { runFuzz } from './soak/fuzz.js';
import { runKillRounds } from './soak/kill.js';

const pinned = {
	converge: [1],
	kill: [20240607],
	fuzz: [7]
};

let server: TetherServer;
let alice: Account;

beforeAll(async () => {
	server = await startTether();
	alice = await signIn(server, 'alice');
});
afterAll(() => server?.close());

describe('[HD] soak at small sizes, pinned seeds', () => {
	for (const seed of pinned.converge) {
		it(`[HD14] five replicas with random Unicode edits, deletions and offline spells converge (seed ${seed})`, async () => {
			const result = await runConvergence(server, alice, {
				seed,
				replicas: 5,
				operations: 100,
				settleTimeoutMs: 30_000
			});
			expect(result.operations).toBe(500);
		}, 60_000);
	}

	for (const seed of pinned.kill) {
		it(`[HD15] kill -9 while clients write loses no acknowledged update (seed ${seed})`, async () => {
			const result = await runKillRounds(server, alice, { seed, rounds: 2, writers: 3 });
			expect(result.acknowledgedChecked).toBeGreaterThan(0);
		}, 60_000);
	}

	for (const seed of pinned.fuzz) {
		it(`[HD16] fuzzed frames close their socket and never crash or block the server (seed ${seed})`, async () => {
			const bob = await signIn(server, 'bob');
			const result = await runFuzz(server, [alice, bob], { seed, frames: 1500, sockets: 8 });
			expect(result.frames).toBe(1500);
			expect(result.health.errors, `seed ${seed}`).toEqual([]);
			expect(result.health.failures).toBe(0);
			expect(result.closes['4400']).toBeGreaterThan(0);
		}, 60_000);
	}
});
