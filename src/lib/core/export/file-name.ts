/**
 * A download's file name from a title: letters of any script and digits are kept, characters that
 * some file system refuses or that hide what a name is (`/ \ : * ? " < > |`, controls) become
 * dashes, and the name is cut between graphemes so it stays short.
 */
import { cutText } from '../text.js';

const maxBaseLength = 80;

export function exportFileName(title: string, extension: 'md' | 'json'): string {
	const base = cutText(
		title
			.normalize('NFC')
			// eslint-disable-next-line no-control-regex
			.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '-')
			.replace(/\s+/g, ' ')
			.replace(/^[\s.-]+|[\s.-]+$/g, '')
			.replace(/[ -]+/g, '-'),
		maxBaseLength
	).replace(/[.-]+$/, '');
	return `${base.length > 0 ? base : 'tether-export'}.${extension}`;
}
