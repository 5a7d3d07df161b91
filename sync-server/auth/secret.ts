import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { loadOrCreateDataFile } from '../data-file.js';

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
	return loadOrCreateDataFile(
		path.join(config.dataDir, 'secret'),
		() => randomBytes(32).toString('base64url') + '\n',
		(text) => {
			const secret = text.trim();
			if (secret.length < minLength) {
				throw new ConfigError(
					`${path.join(config.dataDir, 'secret')} is damaged (shorter than ${minLength} ` +
						'characters). Restore it from a backup: account ids depend on it. Delete it only ' +
						'to start over with no accounts.'
				);
			}
			return secret;
		}
	);
}
