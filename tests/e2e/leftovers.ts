import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';

/**
 * Where deleted text could still live: every file under the server's DATA_DIR, and every record
 * and key of every IndexedDB database (plus localStorage) of a page's origin, read through the
 * page. Each returns the markers it found, as UTF-8 bytes or as strings.
 */

export function markersInDir(dir: string, markers: string[]): string[] {
	const found = new Set<string>();
	const visit = (at: string) => {
		for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
			const full = path.join(at, entry.name);
			if (entry.isDirectory()) visit(full);
			else {
				const bytes = fs.readFileSync(full);
				for (const marker of markers)
					if (bytes.includes(Buffer.from(marker, 'utf8'))) found.add(marker);
			}
		}
	};
	visit(dir);
	return [...found];
}

export function markersInBrowser(page: Page, markers: string[]): Promise<string[]> {
	return page.evaluate(async (markers) => {
		const encoded = markers.map((m) => [m, new TextEncoder().encode(m)] as const);
		const found = new Set<string>();
		const hasBytes = (bytes: Uint8Array, needle: Uint8Array) => {
			outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
				for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
				return true;
			}
			return false;
		};
		const scan = (value: unknown): void => {
			if (value === null || value === undefined) return;
			if (typeof value === 'string') {
				for (const [m] of encoded) if (value.includes(m)) found.add(m);
			} else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
				const bytes =
					value instanceof ArrayBuffer
						? new Uint8Array(value)
						: new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
				for (const [m, needle] of encoded) if (hasBytes(bytes, needle)) found.add(m);
			} else if (Array.isArray(value)) value.forEach(scan);
			else if (typeof value === 'object') {
				for (const [key, inner] of Object.entries(value)) {
					scan(key);
					scan(inner);
				}
			}
		};
		const request = <T>(r: IDBRequest<T>) =>
			new Promise<T>((resolve, reject) => {
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
		for (const info of await indexedDB.databases()) {
			if (!info.name) continue;
			const db = await request(indexedDB.open(info.name));
			for (const store of db.objectStoreNames) {
				const tx = db.transaction(store, 'readonly');
				scan(await request(tx.objectStore(store).getAll()));
				scan(await request(tx.objectStore(store).getAllKeys()));
			}
			db.close();
		}
		for (let i = 0; i < localStorage.length; i++) {
			const key = localStorage.key(i) ?? '';
			scan(key);
			scan(localStorage.getItem(key));
		}
		return [...found];
	}, markers);
}
