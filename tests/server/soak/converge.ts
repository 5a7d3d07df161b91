/**
 * Soak, convergence: several replicas (the app's SyncProvider over `ws`) edit one session-shaped
 * document through the real server, with seeded random operations and random offline spells;
 * at the end every replica and a fresh device reading from the server hold the same state (R1,
 * R5, [HD14]). Plain TypeScript: `npm run soak` and the spec both run it.
 */
import * as Y from 'yjs';
import type { DocName } from '../../../src/lib/core/doc-names.js';
import {
	appendMessage,
	draft,
	initSession,
	messages,
	replaceText,
	sessionMeta
} from '../../../src/lib/core/shapes.js';
import type { SyncProvider } from '../../../src/lib/sync/provider.js';
import { seeded } from '../../lib/seeded.js';
import { waitFor, type TetherServer } from '../harness.js';
import { connect, type Account } from '../sync-client.js';
import { codePointBoundary, codePointSpan, randomText, wellFormed } from './unicode.js';

export interface ConvergeOptions {
	seed: number;
	replicas: number;
	/** Random operations per replica. */
	operations: number;
	/** How long the replicas may take to be synced at the end. */
	settleTimeoutMs?: number;
}

export interface ConvergeResult {
	seed: number;
	replicas: number;
	operations: number;
	/** Times a replica went offline. */
	offlineSpells: number;
	/** Messages in the final document, and its encoded size. */
	messages: number;
	stateBytes: number;
	ms: number;
}

type Operation = (doc: Y.Doc, random: () => number, step: number) => void;

/** Each weighted: appends and text edits dominate, as in a session. */
const operations: Array<[number, Operation]> = [
	[
		3,
		(doc, random, step) =>
			appendMessage(doc, {
				id: `m${step}-${doc.clientID}`,
				role: random() < 0.5 ? 'user' : 'assistant',
				text: randomText(random),
				createdAt: step
			})
	],
	[
		5,
		(doc, random) => {
			const text = randomMessageText(doc, random);
			if (!text) return;
			const s = text.toString();
			text.insert(codePointBoundary(s, random), randomText(random));
		}
	],
	[
		3,
		(doc, random) => {
			const text = randomMessageText(doc, random);
			if (!text || text.length === 0) return;
			const s = text.toString();
			const at = codePointBoundary(s, random);
			const length = codePointSpan(s, at, 1 + Math.floor(random() * 6));
			if (length > 0) text.delete(at, length);
		}
	],
	[
		2,
		(doc, random) => {
			// The composer writes its draft through replaceText, as the app does.
			const current = draft(doc).toString();
			const at = codePointBoundary(current, random);
			const cut = random() < 0.4 ? codePointSpan(current, at, 1 + Math.floor(random() * 4)) : 0;
			const next = current.slice(0, at) + randomText(random, 2) + current.slice(at + cut);
			replaceText(draft(doc), next.length > 400 ? '' : next);
		}
	],
	[
		1,
		(doc, random) => {
			const list = messages(doc);
			if (list.length > 0) list.delete(Math.floor(random() * list.length), 1);
		}
	],
	[
		1,
		(doc, random, step) => {
			// Concurrent writes of one key: last writer wins, the same on every replica.
			const list = messages(doc);
			if (list.length > 0) list.get(Math.floor(random() * list.length)).set('attempt', step);
		}
	]
];
const totalWeight = operations.reduce((sum, [weight]) => sum + weight, 0);

function randomMessageText(doc: Y.Doc, random: () => number): Y.Text | undefined {
	const list = messages(doc);
	if (list.length === 0) return undefined;
	const text = list.get(Math.floor(random() * list.length)).get('text');
	return text instanceof Y.Text ? text : undefined;
}

/** One seeded random session operation (append, edit, delete, draft, concurrent set). */
export function operate(doc: Y.Doc, random: () => number, step: number): void {
	let roll = random() * totalWeight;
	for (const [weight, operation] of operations) {
		roll -= weight;
		if (roll < 0) return operation(doc, random, step);
	}
}

/**
 * What the person sees of a session, as canonical JSON (keys sorted: a Y.Map lists its keys in
 * the order this replica integrated them, which differs between replicas).
 */
export function sessionSnapshot(doc: Y.Doc): string {
	return canonicalJson({
		meta: sessionMeta(doc).toJSON(),
		messages: messages(doc).toJSON(),
		draft: draft(doc).toString()
	});
}

function canonicalJson(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) =>
		v && typeof v === 'object' && !Array.isArray(v)
			? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
			: v
	);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Throws with the seed in its message when the replicas do not converge. */
export async function runConvergence(
	server: TetherServer,
	account: Account,
	options: ConvergeOptions
): Promise<ConvergeResult> {
	const { seed } = options;
	const started = performance.now();
	const random = seeded(seed);
	const docName: DocName = `session.converge-${seed}-${Date.now().toString(36)}`;
	const replicas: SyncProvider[] = Array.from({ length: options.replicas }, () =>
		connect(server, account, docName, new Y.Doc(), { awareness: null })
	);
	const fail = (what: string) => new Error(`soak converge failed (seed ${seed}): ${what}`);
	let offlineSpells = 0;
	try {
		await Promise.all(replicas.map((r) => r.whenSynced));
		initSession(replicas[0]!.doc, 'soak-project', 0);
		const total = options.replicas * options.operations;
		const done = new Array<number>(options.replicas).fill(0);
		for (let step = 0; step < total; step++) {
			// A replica that has done its share is skipped, so each does exactly `operations`.
			let i = Math.floor(random() * options.replicas);
			while (done[i]! >= options.operations) i = (i + 1) % options.replicas;
			done[i]!++;
			const replica = replicas[i]!;
			const roll = random();
			if (roll < 0.02 && replica.status !== 'offline') {
				replica.disconnect();
				offlineSpells++;
			} else if (roll < 0.06) replica.connect();
			operate(replica.doc, random, step);
			// Let messages through now and then, so deliveries interleave with edits; a real pause
			// sometimes, so a replica's rate stays near what a person types.
			if (random() < 0.3) await nextTurn();
			if (random() < 0.05) await new Promise((resolve) => setTimeout(resolve, 5));
		}
		for (const r of replicas) r.connect();
		await waitFor(() => replicas.every((r) => r.status === 'synced'), {
			timeoutMs: options.settleTimeoutMs ?? 60_000,
			message: `every replica synced (seed ${seed}; ${replicas.map((r) => r.status).join(', ')})`
		}).catch((error: Error) => {
			throw fail(error.message);
		});
		// What a new device gets from the server alone.
		const reference = connect(server, account, docName, new Y.Doc(), { awareness: null });
		try {
			await reference.whenSynced;
			const expected = sessionSnapshot(reference.doc);
			const vector = Y.encodeStateVector(reference.doc).join();
			for (const [i, r] of replicas.entries()) {
				if (sessionSnapshot(r.doc) !== expected)
					throw fail(`replica ${i} differs from the server's state`);
				if (Y.encodeStateVector(r.doc).join() !== vector)
					throw fail(`replica ${i} has a different state vector from the server's`);
			}
			for (const message of messages(reference.doc)) {
				const text = message.get('text');
				if (text instanceof Y.Text && !wellFormed(text.toString()))
					throw fail('a message holds a broken surrogate pair');
			}
			if (!wellFormed(draft(reference.doc).toString()))
				throw fail('the draft holds a broken surrogate pair');
			return {
				seed,
				replicas: options.replicas,
				operations: total,
				offlineSpells,
				messages: messages(reference.doc).length,
				stateBytes: Y.encodeStateAsUpdate(reference.doc).byteLength,
				ms: Math.round(performance.now() - started)
			};
		} finally {
			reference.destroy();
		}
	} finally {
		for (const r of replicas) r.destroy();
	}
}
