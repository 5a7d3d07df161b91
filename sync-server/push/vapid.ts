import path from 'node:path';
import webpush from 'web-push';
import { loadOrCreateDataFile } from '../data-file.js';

export interface VapidKeys {
	publicKey: string;
	privateKey: string;
}

/**
 * The server's VAPID key pair (RFC 8292), generated into DATA_DIR on first start and kept: a
 * browser's push subscription is bound to the public key, so a new pair would silence every
 * device until it subscribes again. Created once, like the secret (`loadOrCreateDataFile`).
 */
export function loadVapidKeys(dataDir: string): VapidKeys {
	const file = path.join(dataDir, 'vapid.json');
	return loadOrCreateDataFile(
		file,
		() => JSON.stringify(webpush.generateVAPIDKeys()) + '\n',
		(text) => {
			const parsed = JSON.parse(text) as Partial<VapidKeys>;
			if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') {
				throw new Error(
					`${file} is damaged: delete it to make a new key pair (devices subscribe again)`
				);
			}
			return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
		}
	);
}
