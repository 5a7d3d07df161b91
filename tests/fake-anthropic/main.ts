/**
 * Runs the fake upstream by hand or for benchmarks:
 *   node --import tsx tests/fake-anthropic/main.ts [--port 8788] [--key sk-ant-test-...] [--delay ms]
 * Without --key it accepts every key starting with `sk-ant-test-`. Prints its URL, then
 * answers every message with an echo of the user's text until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { startFakeAnthropic } from './server.js';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '0' },
		host: { type: 'string', default: '127.0.0.1' },
		key: { type: 'string', multiple: true, default: [] },
		delay: { type: 'string', default: '0' }
	}
});

const keys = values.key;
const fake = await startFakeAnthropic({
	port: Number(values.port),
	host: values.host,
	keys,
	acceptKey: keys.length ? undefined : (key) => key.startsWith('sk-ant-test-'),
	// --delay slows each streamed event, so a run can be watched (or stopped) live.
	defaultReply: { delayMs: Number(values.delay) }
});
console.log(`fake anthropic listening on ${fake.url}`);
console.log(`try: ANTHROPIC_BASE_URL=${fake.url} npm start`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		void fake.close().then(() => process.exit(0));
	});
}
