import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { createDataFileOnce } from '../data-file.js';

export interface VapidKeys {
	publicKey: string;
	privateKey: string;
}

/**
 * The server's VAPID key pair (RFC 8292), generated into DATA_DIR on first start and kept: a
 * browser's push subscription is bound to the public key, so a new pair would silence every
 * device until it subscribes again. Created once, like the secret (`createDataFileOnce`).
 */
export function loadVapidKeys(dataDir: string): VapidKeys {
	const file = path.join(dataDir, 'vapid.json');
	const existing = readKeys(file);
	if (existing) return existing;
	createDataFileOnce(file, JSON.stringify(webpush.generateVAPIDKeys()) + '\n');
	const created = readKeys(file);
	if (!created) throw new Error(`could not create ${file}`);
	return created;
}

function readKeys(file: string): VapidKeys | null {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
	const parsed = JSON.parse(text) as Partial<VapidKeys>;
	if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') {
		throw new Error(
			`${file} is damaged: delete it to make a new key pair (devices subscribe again)`
		);
	}
	if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
	return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
}
