import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { loadSecret } from './secret.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-secret-'));
	dirs.push(dir);
	return path.join(dir, 'data');
};

describe('server secret', () => {
	it('[AU7] is generated once into the data directory, mode 0600, and reused', () => {
		const dataDir = tempDir();
		const first = loadSecret({ secret: undefined, dataDir });
		expect(first.length).toBeGreaterThanOrEqual(32);
		const file = path.join(dataDir, 'secret');
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		expect(loadSecret({ secret: undefined, dataDir })).toBe(first);
		expect(fs.readdirSync(dataDir)).toEqual(['secret']);
	});

	it('[AU7] TETHER_SECRET wins and writes nothing; a short one is refused', () => {
		const dataDir = tempDir();
		const secret = 'x'.repeat(40);
		expect(loadSecret({ secret, dataDir })).toBe(secret);
		expect(fs.existsSync(dataDir)).toBe(false);
		expect(() => loadSecret({ secret: 'short', dataDir })).toThrow(ConfigError);
	});

	it('[AU7] a damaged secret file stops start-up instead of being replaced', () => {
		const dataDir = tempDir();
		fs.mkdirSync(dataDir, { recursive: true });
		fs.writeFileSync(path.join(dataDir, 'secret'), 'abc');
		expect(() => loadSecret({ secret: undefined, dataDir })).toThrow(/damaged/);
		expect(fs.readFileSync(path.join(dataDir, 'secret'), 'utf8')).toBe('abc');
	});

	it('[AU7] loosened permissions are tightened back to 0600', () => {
		const dataDir = tempDir();
		loadSecret({ secret: undefined, dataDir });
		fs.chmodSync(path.join(dataDir, 'secret'), 0o644);
		loadSecret({ secret: undefined, dataDir });
		expect(fs.statSync(path.join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
	});
});
