import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { compactUpdates } from './compaction.js';
import { deleteFile, renameFile, writeFile } from './files.js';
import { recordsDeletion } from './recorded-deletions.js';

/** The transactions of `change` that record a deletion, seen as the server sees them. */
function recorded(doc: Y.Doc, change: () => void): boolean {
	let deletion = false;
	const onAfter = (tr: Y.Transaction) => (deletion ||= recordsDeletion(tr));
	doc.on('afterTransaction', onAfter);
	change();
	doc.off('afterTransaction', onAfter);
	return deletion;
}

const secret = 'SECRET-FILE-TEXT-👩‍💻-שלום';
const contains = (bytes: Uint8Array, text: string) =>
	Buffer.from(bytes).includes(Buffer.from(text, 'utf8'));

describe('deleting a workspace file [FS6]', () => {
	it('[FS6] a deleted or renamed-away file records a deletion; writing and editing do not', () => {
		const doc = new Y.Doc();
		expect(recorded(doc, () => writeFile(doc, 'a.md', secret))).toBe(false);
		expect(recorded(doc, () => writeFile(doc, 'a.md', `${secret}!`))).toBe(false);
		expect(recorded(doc, () => renameFile(doc, 'a.md', 'b.md'))).toBe(true);
		expect(recorded(doc, () => deleteFile(doc, 'b.md'))).toBe(true);
	});

	it('[FS6] seen by a replica that never asked for the files map (the server), without changing it', () => {
		const writer = new Y.Doc();
		writeFile(writer, 'a.md', secret);
		const server = new Y.Doc();
		Y.applyUpdate(server, Y.encodeStateAsUpdate(writer));
		let deletion = false;
		server.on('afterTransaction', (tr: Y.Transaction) => (deletion ||= recordsDeletion(tr)));
		writer.on('update', (update: Uint8Array) => Y.applyUpdate(server, update));
		deleteFile(writer, 'a.md');
		expect(deletion).toBe(true);
		// Still the untyped root the update made: recordsDeletion did not turn it into a map.
		expect(server.share.get('files')).not.toBeInstanceOf(Y.Map);
	});

	it('[FS6] after compaction no byte of a deleted file is in the stored history', () => {
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (update: Uint8Array) => updates.push(update));
		writeFile(doc, 'keep.md', 'kept');
		writeFile(doc, 'gone.md', secret);
		writeFile(doc, 'moved.md', `${secret}-moved`);
		renameFile(doc, 'moved.md', 'moved-away.md');
		deleteFile(doc, 'gone.md');
		deleteFile(doc, 'moved-away.md');
		expect(updates.some((u) => contains(u, secret))).toBe(true);
		const compacted = compactUpdates(updates);
		expect(contains(compacted, secret)).toBe(false);
		expect(contains(compacted, 'kept')).toBe(true);
	});
});
