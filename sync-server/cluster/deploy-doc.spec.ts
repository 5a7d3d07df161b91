/**
 * docs/DEPLOY.md's compose file is documentation no CI job runs (there is no Docker here), so
 * this reads it and checks what the server would make of it: each instance's environment passes
 * the configuration, the Host check accepts the public name, per-address limits see the clients
 * behind the balancer, every variable is one the server reads, and the balancer lists every
 * instance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.js';
import { hostCheck } from '../http/hosts.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const deploy = fs.readFileSync(path.join(root, 'docs/DEPLOY.md'), 'utf8');

function block(language: string): string {
	const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(deploy);
	if (!match) throw new Error(`docs/DEPLOY.md has no ${language} block`);
	return match[1]!;
}

const compose = block('yaml');
const caddyfile = block('caddyfile');

/** The `&tether-env` mapping: every line indented under it, as KEY: value. */
function sharedEnvironment(): Record<string, string> {
	const lines = compose.split('\n');
	const start = lines.findIndex((line) => /environment: &tether-env\s*$/.test(line));
	expect(start).toBeGreaterThan(-1);
	const env: Record<string, string> = {};
	for (const line of lines.slice(start + 1)) {
		const entry = /^ {4}([A-Z_]+): (.*)$/.exec(line);
		if (!entry) break;
		env[entry[1]!] = entry[2]!.replace(/^'(.*)'$/, '$1');
	}
	return env;
}

/** Each tetherN service and the TETHER_INSTANCE_ID it adds to the shared environment. */
function instances(): Array<{ service: string; id: string }> {
	return [
		...compose.matchAll(
			/^ {2}(tether\d+):\n(?: {4}.*\n)*? {4}environment: \{ <<: \*tether-env, TETHER_INSTANCE_ID: ([^ }]+) \}/gm
		)
	].map((match) => ({ service: match[1]!, id: match[2]! }));
}

/** What the `.env` file next to compose.yaml supplies. */
const dotEnv: Record<string, string> = {
	POSTGRES_PASSWORD: 'pw',
	TETHER_SECRET: 's'.repeat(44),
	TETHER_DOMAIN: 'tether.example'
};

const substituted = (value: string) =>
	value.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
		const supplied = dotEnv[name];
		if (supplied === undefined) throw new Error(`compose.yaml uses \${${name}}, which .env lacks`);
		return supplied;
	});

describe('[IN11] the compose file of docs/DEPLOY.md', () => {
	it('gives each instance a configuration the server accepts, reached by its public name behind the balancer', () => {
		const shared = sharedEnvironment();
		const named = instances();
		expect(named.map((i) => i.service)).toEqual(['tether1', 'tether2', 'tether3']);
		expect(new Set(named.map((i) => i.id)).size).toBe(named.length);
		for (const { id } of named) {
			const env = Object.fromEntries(
				Object.entries({ ...shared, TETHER_INSTANCE_ID: id }).map(([k, v]) => [k, substituted(v)])
			);
			const config = readConfig(env);
			expect(config.instanceId).toBe(id);
			expect(config.databaseUrl).toMatch(/^postgres:\/\/tether:pw@postgres:5432\/tether$/);
			expect(config.redisUrl).toBe('redis://redis:6379');
			expect(config.host).toBe('0.0.0.0');
			expect(config.trustProxy).toBe(true);
			expect(hostCheck(config)('tether.example')).toBe(true);
			expect(hostCheck(config)('rebound.example')).toBe(false);
		}
	});

	it('sets only variables the server reads', () => {
		const source = fs
			.readdirSync(path.join(root, 'sync-server'), { recursive: true, encoding: 'utf8' })
			.filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
			.map((file) => fs.readFileSync(path.join(root, 'sync-server', file), 'utf8'))
			.join('\n');
		for (const name of [...Object.keys(sharedEnvironment()), 'TETHER_INSTANCE_ID']) {
			expect(source, name).toMatch(new RegExp(`\\b${name}\\b`));
		}
	});

	it('balances over every instance, on the port they listen on', () => {
		const port = sharedEnvironment().PORT;
		const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
		expect(upstreams).toEqual(instances().map((i) => `${i.service}:${port}`));
	});
});
