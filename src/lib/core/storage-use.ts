/** Words for how much of this device's storage Tether uses, for the account menu. */

export interface StorageUse {
	/** Bytes this origin uses (`navigator.storage.estimate().usage`). */
	usage?: number;
	/** Bytes the browser would let it use (`quota`). */
	quota?: number;
	/** Whether the browser agreed not to evict it under storage pressure (`persisted()`). */
	persisted?: boolean;
}

const units = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1,536 → "1.5 KB": one decimal below 10 of a unit, none above; 1 KB = 1024 bytes. */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	if (unit === 0) return `${Math.round(value)} bytes`;
	const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
	return `${shown} ${units[unit]}`;
}

export function describeStorageUse(use: StorageUse): string[] {
	const lines: string[] = [];
	if (use.usage === undefined)
		lines.push('This browser does not say how much storage Tether uses.');
	else if (use.quota === undefined || use.quota <= 0)
		lines.push(`Tether uses ${formatBytes(use.usage)} on this device.`);
	else {
		const percent = Math.min(100, Math.round((use.usage / use.quota) * 100));
		lines.push(
			`Tether uses ${formatBytes(use.usage)} of ${formatBytes(use.quota)} available on this device (${percent} %).`
		);
	}
	if (use.persisted === true) lines.push('The browser keeps it until you remove it.');
	else if (use.persisted === false)
		lines.push('The browser may clear it when space runs low; the server keeps what has synced.');
	return lines;
}
