/*
 * highlight.js core and the languages answers use most. This module is only ever reached through
 * a dynamic import (highlighter.ts), so it is its own chunk, loaded the first time a message has a
 * code block. highlight.js rather than shiki: core plus these grammars is a few dozen KB of plain
 * JavaScript; shiki ships TextMate grammars and a WebAssembly regex engine (hundreds of KB, and
 * 'wasm-unsafe-eval' in the Content Security Policy).
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const languages = {
	bash,
	c,
	cpp,
	csharp,
	css,
	diff,
	go,
	ini,
	java,
	javascript,
	json,
	markdown,
	python,
	rust,
	sql,
	typescript,
	xml,
	yaml
};
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

/** Highlighted HTML for `code` (escaped by highlight.js), or null for a language it lacks. */
export function highlight(code: string, language: string): string | null {
	if (!language || !hljs.getLanguage(language)) return null;
	return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
