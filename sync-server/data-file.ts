import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates `file` in its DATA_DIR with `content`, unless it exists: written whole to a temporary
 * file (0600, fsynced) and linked into place, so a crash never leaves half a file, and when
 * another process won the race its file stays and is the one to use. The directory is made
 * 0700 if it is missing.
 */
export function createDataFileOnce(file: string, content: string): void {
	fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
	const temp = `${file}.${process.pid}.tmp`;
	const fd = fs.openSync(temp, 'w', 0o600);
	try {
		fs.writeSync(fd, content);
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
	try {
		fs.linkSync(temp, file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	} finally {
		fs.unlinkSync(temp);
	}
}
