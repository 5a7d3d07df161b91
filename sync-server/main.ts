import type { AddressInfo } from 'node:net';
import { ConfigError, readConfig } from './config.js';
import { healthRoutes } from './http/health.js';
import { createHttpServer } from './http/server.js';

// Wiring only: every capability lives in its own module.
let config;
try {
	config = readConfig();
} catch (error) {
	if (error instanceof ConfigError) {
		console.error(`tether: ${error.message}`);
		process.exit(1);
	}
	throw error;
}

const server = createHttpServer(config, [...healthRoutes()]);

server.listen(config.port, config.host, () => {
	const { port } = server.address() as AddressInfo;
	const scheme = config.tls ? 'https' : 'http';
	// Tests start the server on port 0 and read the real port from this line.
	console.log(`tether listening on ${scheme}://${config.host}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		server.close();
		process.exit(0);
	});
}
