/**
 * Puts `text` on the clipboard. The Clipboard API needs a secure context (HTTPS or localhost); a
 * phone on the LAN over plain HTTP has none, so the older copy command is the fallback there.
 * Rejects when neither worked, so the caller can say so.
 */
export async function copyText(text: string): Promise<void> {
	if (navigator.clipboard?.writeText) {
		try {
			await navigator.clipboard.writeText(text);
			return;
		} catch {
			// Refused (no permission, document not focused): try the fallback before giving up.
		}
	}
	const area = document.createElement('textarea');
	area.value = text;
	area.setAttribute('readonly', '');
	area.style.position = 'fixed';
	area.style.opacity = '0';
	document.body.append(area);
	area.select();
	let copied = false;
	try {
		copied = document.execCommand('copy');
	} finally {
		area.remove();
	}
	if (!copied) throw new Error('The browser did not allow copying');
}
