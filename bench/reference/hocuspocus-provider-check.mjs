// One real @hocuspocus/provider in a document of the benchmark's Hocuspocus server: once synced
// it appends "provider" to the Y.Array "bench", and it exits 0 when the server has acknowledged
// that edit and an item from another client (the bench's own) has arrived. The bench runs it
// beside its minimal client, to show that client speaks the same protocol as the provider.
//
//   node hocuspocus-provider-check.mjs <ws url> <document>
import { HocuspocusProvider } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

const [url, name] = process.argv.slice(2);
if (!url || !name) throw new Error('usage: hocuspocus-provider-check.mjs <ws url> <document>');

const timeout = setTimeout(() => {
	console.error('provider check: no edit from the bench client, or ours unacknowledged, in 10 s');
	process.exit(1);
}, 10_000);

const document = new Y.Doc();
const items = document.getArray('bench');
// Given a URL, the provider opens and owns its socket; Node 20 has no WebSocket of its own.
const provider = new HocuspocusProvider({ url, name, document, WebSocketPolyfill: WebSocket });
let pushed = false;

const finishWhenDone = () => {
	const seenOther = items.toArray().some((item) => item !== 'provider');
	if (!pushed || !seenOther || provider.hasUnsyncedChanges) return;
	clearTimeout(timeout);
	provider.destroy();
	console.log('provider check: edits crossed both ways');
	process.exit(0);
};

provider.on('synced', () => {
	pushed = true;
	items.push(['provider']);
});
provider.on('unsyncedChanges', finishWhenDone);
items.observe(finishWhenDone);
