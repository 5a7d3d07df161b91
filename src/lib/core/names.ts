/** Project and session names: what users type, checked before anything is stored. */
// Generous: a pasted paragraph is kept whole (and shown truncated); only absurd sizes are refused.
export const maxNameLength = 10_000;

export type NameCheck = { ok: true; name: string } | { ok: false; error: string };

export function checkName(raw: string, what: 'Project' | 'Session'): NameCheck {
	const name = raw.replace(/\s+/g, ' ').trim();
	if (name.length === 0) return { ok: false, error: `${what} name cannot be empty.` };
	if (name.length > maxNameLength) {
		return {
			ok: false,
			error: `${what} name is too long (${name.length} characters; at most ${maxNameLength}).`
		};
	}
	return { ok: true, name };
}

/** A person's input that cannot be stored as it is; the message says why, in words. */
export class InvalidInputError extends Error {}
