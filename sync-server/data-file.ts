import fs from 'node:fs';
import path from 'node:path';

/**
 * A file the server makes once in DATA_DIR and keeps (the secret, the VAPID keys): read and
 * parsed if it exists, else created with `make()`. Creating writes the whole content to a
 * temporary file (0600, fsynced) and links it into place, so a crash never leaves half a file,
 * and when another process won the race its file is the one used. Permissions an operator
 * loosened are tightened again: these files are as sensitive as the database.
 */
export function loadOrCreateDataFile<T>(
	file: string,
	make: () => string,
	parse: (text: string) => T
): T {
	const existing = read(file);
	if (existing !== null) return parse(existing);
	fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
	const temp = `${file}.${process.pid}.tmp`;
	const fd = fs.openSync(temp, 'w', 0o600);
	try {
		fs.writeSync(fd, make());
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
	const created = read(file);
	if (created === null) throw new Error(`could not create ${file}`);
	return parse(created);
}

function read(file: string): string | null {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
	if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
	return text;
}
