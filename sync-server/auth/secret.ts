import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { createDataFileOnce } from '../data-file.js';

/** Shortest secret accepted: 32 bytes of entropy, as the generated one has. */
const minLength = 32;

/**
 * The server secret: TETHER_SECRET, else `<dataDir>/secret`, generated once (0600) and reused.
 * Losing it orphans every account (ids are derived from it), so a damaged file stops the
 * server with a message instead of being silently replaced.
 */
export function loadSecret(config: { secret: string | undefined; dataDir: string }): string {
	if (config.secret !== undefined) {
		if (config.secret.length < minLength) {
			throw new ConfigError(`TETHER_SECRET must be at least ${minLength} characters`);
		}
		return config.secret;
	}
	const file = path.join(config.dataDir, 'secret');
	const existing = readSecretFile(file);
	if (existing !== null) return existing;
	createDataFileOnce(file, randomBytes(32).toString('base64url') + '\n');
	const created = readSecretFile(file);
	if (created === null) throw new Error(`could not create ${file}`);
	return created;
}

function readSecretFile(file: string): string | null {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
	const secret = text.trim();
	if (secret.length < minLength) {
		throw new ConfigError(
			`${file} is damaged (shorter than ${minLength} characters). Restore it from a backup: ` +
				'account ids depend on it. Delete it only to start over with no accounts.'
		);
	}
	// Tighten permissions an operator may have loosened: it is as sensitive as the database.
	if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
	return secret;
}
