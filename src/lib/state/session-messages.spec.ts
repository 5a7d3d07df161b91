import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageRow } from '$lib/core/rows';
import { TetherDb } from '$lib/store/db';
import { messageReader, type MessageReader } from '$lib/store/message-reader';
import { SessionMessages } from './session-messages.svelte';

const row = (sessionId: string, seq: number, text = `message ${seq}`): MessageRow => ({
	id: `${sessionId}-m${seq}`,
	sessionId,
	seq,
	role: seq % 2 === 0 ? 'user' : 'assistant',
	text,
	createdAt: seq
});

/** The real reader, counting the rows each read returns; reads from seq 0 answer `slowly` late. */
function counting(reader: MessageReader, slowly = 0) {
	const read = { rows: 0 };
	return {
		read,
		reader: {
			last: async (count: number) => {
				const rows = await reader.last(count);
				read.rows += rows.length;
				return rows;
			},
			between: async (from: number, to: number) => {
				const rows = await reader.between(from, to);
				if (from === 0 && slowly > 0) await new Promise((resolve) => setTimeout(resolve, slowly));
				read.rows += rows.length;
				return rows;
			}
		} satisfies MessageReader
	};
}

const open: { db: TetherDb; view: SessionMessages }[] = [];
afterEach(async () => {
	for (const { db, view } of open.splice(0)) {
		view.destroy();
		db.close();
		await db.delete();
	}
});

async function setUp(count: number, slowly = 0) {
	const db = new TetherDb(`session-messages-${Math.random()}`);
	await db.messages.bulkPut(Array.from({ length: count }, (_, i) => row('s1', i)));
	// Another session's rows never show, nor are they read.
	await db.messages.bulkPut(Array.from({ length: 50 }, (_, i) => row('s2', i)));
	const { read, reader } = counting(messageReader(db, 's1'), slowly);
	const view = new SessionMessages(() => reader, 40);
	open.push({ db, view });
	return { db, read, view };
}

const texts = (view: SessionMessages) => view.current.map((m) => m.text);

describe('[LB27] the messages of a session', () => {
	it('paints the end first, then holds every row in order', async () => {
		const { view } = await setUp(1000);
		await vi.waitFor(() => expect(view.loaded).toBe(true));
		expect(view.current.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => 960 + i));
		expect(view.whole).toBe(false);
		view.widen();
		await vi.waitFor(() => expect(view.current.length).toBe(1000));
		expect(view.whole).toBe(true);
		expect(view.current.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
	});

	it('reads only the end again while an answer at the end changes', async () => {
		const { db, read, view } = await setUp(1000);
		await vi.waitFor(() => expect(view.loaded).toBe(true));
		view.widen();
		await vi.waitFor(() => expect(view.current.length).toBe(1000));
		await db.messages.put(row('s1', 1000, 'Streaming'));
		await vi.waitFor(() => expect(view.current.at(-1)?.text).toBe('Streaming'));
		const before = read.rows;
		for (let piece = 1; piece <= 10; piece++) {
			await db.messages.put(row('s1', 1000, `Streaming ${'word '.repeat(piece)}`));
			await vi.waitFor(() => expect(view.current.at(-1)?.text).toContain('word '.repeat(piece)));
		}
		expect(view.current.length).toBe(1001);
		// Ten changes, each reading the end (41 rows) at most once: never the 1,000 rows again.
		expect(read.rows - before).toBeLessThanOrEqual(10 * 41);
	});

	it('shows a change to an older row, a deletion and a row renumbered across the boundary', async () => {
		// The older part answers late, so the end's answer is shown while the older one is stale.
		const { db, view } = await setUp(100, 200);
		await vi.waitFor(() => expect(view.loaded).toBe(true));
		view.widen();
		await vi.waitFor(() => expect(view.current.length).toBe(100));
		await db.messages.put(row('s1', 3, 'Edited 😀 עברית'));
		await vi.waitFor(() => expect(texts(view)[3]).toBe('Edited 😀 עברית'));
		await db.messages.delete('s1-m5');
		await vi.waitFor(() => expect(view.current.length).toBe(99));
		// The last older row moves past the boundary (seq 60 is the first of the end part).
		await db.messages.put({ ...row('s1', 59), seq: 100 });
		await vi.waitFor(() => expect(view.current.at(-1)?.id).toBe('s1-m59'));
		expect(view.current.filter((m) => m.id === 's1-m59')).toHaveLength(1);
		expect(new Set(view.current.map((m) => m.id)).size).toBe(view.current.length);
		await vi.waitFor(() => expect(view.current.length).toBe(99));
	});

	it('a short session is whole from its first read', async () => {
		const { db, view } = await setUp(12);
		await vi.waitFor(() => expect(view.loaded).toBe(true));
		expect(view.whole).toBe(true);
		expect(view.current).toHaveLength(12);
		await db.messages.put(row('s1', 12));
		await vi.waitFor(() => expect(view.current).toHaveLength(13));
	});

	it('an empty session is loaded and empty, then shows its first message', async () => {
		const { db, view } = await setUp(0);
		await vi.waitFor(() => expect(view.loaded).toBe(true));
		expect(view.current).toEqual([]);
		await db.messages.put(row('s1', 0, 'Hello'));
		await vi.waitFor(() => expect(texts(view)).toEqual(['Hello']));
	});
});
