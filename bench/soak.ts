/**
 * `npm run soak`: opens and closes many documents through the real server process, round after
 * round, and reports its RSS at baseline, with the documents loaded, and once they are unloaded
 * (R11, [HD10], [HD13]). Short by default; SOAK_DOCS and SOAK_ROUNDS make it longer.
 * SOAK_ENTRY=build runs the built server (`npm run build` first) instead of the sources through
 * tsx, whose loader thread adds its own heap; SOAK_NODE_OPTIONS passes V8 flags to the server.
 * Figures go to bench/results/soak-latest.json. Not part of `npm test`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTether } from '../tests/server/harness.js';
import { measureMemory } from './sync/memory.js';
import { formatTable, mib, ms } from './lib/table.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const count = (name: string, fallback: number) => {
	const value = Number(process.env[name] ?? fallback);
	if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number`);
	return value;
};
const docs = count('SOAK_DOCS', 200);
const rounds = count('SOAK_ROUNDS', 3);

console.log(
	`soak: ${rounds} rounds of ${docs} documents opened and closed (load ${os.loadavg()[0]?.toFixed(1)})`
);
const server = await startTether({
	entry: process.env.SOAK_ENTRY === 'build' ? 'build' : 'source',
	env: {
		TETHER_DOC_IDLE_MS: '200',
		TETHER_MAX_SOCKETS_PER_ACCOUNT: '100000',
		// V8 flags to compare, e.g. SOAK_NODE_OPTIONS=--max-semi-space-size=8.
		...(process.env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS } : {})
	}
});
let result;
try {
	const { token } = await server.login();
	result = await measureMemory(server, token, {
		docs,
		rounds,
		messagesPerDoc: 20,
		connectConcurrency: 50
	});
} finally {
	await server.close();
}

const last = result.rounds.at(-1);
const growth = last ? last.idleRss / result.baselineRss - 1 : NaN;
console.log(
	formatTable(
		`Server RSS (baseline ${mib(result.baselineRss)}; goal: idle within 20% of it)`,
		['round', 'loaded', 'just unloaded', 'idle 3 s later', 'open', 'unload'],
		result.rounds.map((r) => [
			r.round,
			mib(r.loadedRss),
			mib(r.unloadedRss),
			mib(r.idleRss),
			ms(r.openMs),
			ms(r.unloadMs)
		])
	)
);
console.log(
	`idle RSS after ${result.cycles} open/close cycles: ${mib(last?.idleRss ?? NaN)} ` +
		`(${(growth * 100).toFixed(0)}% over baseline)`
);
const dir = path.join(here, 'results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(
	path.join(dir, 'soak-latest.json'),
	JSON.stringify(
		{ at: new Date().toISOString(), loadAverage: os.loadavg(), ...result, growth },
		null,
		'\t'
	) + '\n'
);
