// Hocuspocus as the benchmark runs it: documents in memory, no extensions, no authentication hook.
// HOST and PORT like the reference server's bin; prints one line once it listens.
import { Server } from '@hocuspocus/server';

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || '1234');

const server = new Server({ address: host, port, quiet: true });
await server.listen();
console.log(`hocuspocus running at '${host}' on port ${server.address.port}`);
