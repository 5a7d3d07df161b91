/*
 * JavaScript regular expressions backtrack, and a pattern like (a+)+$ takes exponential time on a
 * short line: a hostile prompt could stall the server with one search. Patterns are therefore
 * checked before use: a repeated group may not itself hold a repetition or an alternation (the
 * shapes behind catastrophic backtracking), and backreferences are refused. Lines are also cut
 * before matching (see search.ts), which bounds the polynomial cases.
 */

/** Why the pattern is refused, or undefined when it is safe to run. */
export function unsafePattern(pattern: string): string | undefined {
	// For each open group: whether it holds a quantifier or an alternation.
	const groups: { risky: boolean }[] = [];
	let lastGroupRisky = false;
	let inClass = false;
	for (let i = 0; i < pattern.length; i++) {
		const ch = pattern[i]!;
		if (ch === '\\') {
			const next = pattern[i + 1] ?? '';
			if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) {
				return 'Backreferences are not supported in searches.';
			}
			i++;
			lastGroupRisky = false;
			continue;
		}
		if (inClass) {
			if (ch === ']') inClass = false;
			continue;
		}
		if (ch === '[') {
			inClass = true;
			lastGroupRisky = false;
			continue;
		}
		if (ch === '(') {
			groups.push({ risky: false });
			continue;
		}
		if (ch === ')') {
			const group = groups.pop();
			lastGroupRisky = group?.risky ?? false;
			// A risky group inside another group makes that one risky too.
			if (lastGroupRisky && groups.length > 0) groups[groups.length - 1]!.risky = true;
			continue;
		}
		const quantifier = ch === '*' || ch === '+' || ch === '?' || ch === '{';
		if (ch === '|' && groups.length > 0) groups[groups.length - 1]!.risky = true;
		if (quantifier) {
			// `?` right after a quantifier makes it lazy; `(?` opens a special group: not repetition.
			if (ch === '?' && (pattern[i - 1] === '(' || /[*+?}]/.test(pattern[i - 1] ?? ''))) continue;
			if (ch !== '?' && lastGroupRisky) {
				return 'The pattern repeats a group that itself repeats or has alternatives (like (a+)+ or (a|b)*), which can take exponential time: simplify it.';
			}
			if (groups.length > 0) groups[groups.length - 1]!.risky = true;
		}
		lastGroupRisky = false;
	}
	return undefined;
}
