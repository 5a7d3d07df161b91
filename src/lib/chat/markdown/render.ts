import { Marked, type Token, type Tokens } from 'marked';
import { decorate } from './decorate';
import { Lru } from './lru';
import { sanitize } from './sanitize';

/*
 * Markdown source -> HTML the page can insert: marked parses, our renderer shows raw HTML as text
 * and images as words, DOMPurify sanitizes, decorate() adds the copy buttons. The result is one
 * HTML string per top-level block, so a message that grows at its end (a streaming answer)
 * re-renders only its last block: the others come from a cache keyed by their source ([RD7]).
 */

/** Highlighted HTML for a code block, or null to show it plain. */
export type Highlight = (code: string, language: string) => string | null;

export interface Rendered {
	/** Sanitized HTML, one string per top-level block, in order. */
	blocks: string[];
	/** Whether any code block is in the message (the highlighter is loaded only then). */
	hasCode: boolean;
	/** How many blocks were rendered afresh rather than taken from the cache. */
	fresh: number;
}

/** Code blocks larger than this stay plain: highlighting them would hold the page up. */
export const maxHighlightedChars = 64 * 1024;

// The renderer's hooks are synchronous; this is the highlighter of the render in progress.
let activeHighlight: Highlight | null = null;

const parser = new Marked({
	gfm: true,
	// Answers are chat text: a single line break is a line break.
	breaks: true,
	renderer: {
		// Raw HTML in an answer is shown as the characters written, never as markup ([RD1]).
		html({ text, block }: Tokens.HTML | Tokens.Tag) {
			return block ? `<p class="md-raw">${escapeHtml(text)}</p>` : escapeHtml(text);
		},
		// No image is ever fetched (S10): a request could carry data out of the conversation.
		image({ text }: Tokens.Image) {
			return `<span class="md-image">Image: ${escapeHtml(text || 'no description')} (not loaded)</span>`;
		},
		// The page has its own h1 and h2; an answer's headings sit below them.
		heading({ tokens, depth }: Tokens.Heading) {
			const level = Math.min(6, depth + 2);
			return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
		},
		// No form controls in an answer: a task list item shows its box as a character.
		checkbox({ checked }: Tokens.Checkbox) {
			return checked ? '☑ ' : '☐ ';
		},
		code(token: Tokens.Code) {
			const language = languageOf(token.lang);
			const languageClass = language ? ` class="language-${escapeHtml(language)}"` : '';
			const highlighted = highlightIfReady(token, language);
			if (highlighted !== null) {
				return `<pre><code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${highlighted}</code></pre>\n`;
			}
			return `<pre><code${languageClass}>${escapeHtml(token.text)}</code></pre>\n`;
		}
	}
});

const blockCache = new Lru<string>(500);
const highlightCache = new Lru<string>(100);

/**
 * Renders `source` as sanitized HTML blocks. Never throws: when the parser fails, the source is
 * shown as plain text, so nothing of the message is lost.
 */
export function renderMarkdown(source: string, highlight: Highlight | null = null): Rendered {
	let tokens: ReturnType<typeof parser.lexer>;
	try {
		tokens = parser.lexer(source);
	} catch {
		return { blocks: [plainBlock(source)], hasCode: false, fresh: 1 };
	}
	// Reference definitions ([x]: url) anywhere change how every block renders.
	const links = JSON.stringify(tokens.links);
	const prefix = `${highlight ? 'h' : 'p'}\u0000${links}\u0000`;
	const blocks: string[] = [];
	let fresh = 0;
	tokens.forEach((token, index) => {
		// The last block is the one still growing while an answer streams: caching each of its
		// versions would only fill the cache.
		const last = index === tokens.length - 1;
		const key = prefix + token.raw;
		let html = last ? undefined : blockCache.get(key);
		if (html === undefined) {
			html = renderBlock(token, highlight);
			fresh++;
			if (!last) blockCache.set(key, html);
		}
		if (html) blocks.push(html);
	});
	return { blocks, hasCode: containsCode(tokens), fresh };
}

function renderBlock(token: Token, highlight: Highlight | null): string {
	activeHighlight = highlight;
	let html: string;
	try {
		html = parser.parser([token]);
	} catch {
		return plainBlock(token.raw);
	} finally {
		activeHighlight = null;
	}
	if (!html.trim()) return '';
	const fragment = sanitize(html);
	decorate(fragment);
	const holder = fragment.ownerDocument.createElement('div');
	holder.append(fragment);
	return holder.innerHTML;
}

function plainBlock(text: string): string {
	return `<p class="md-raw">${escapeHtml(text)}</p>`;
}

function highlightIfReady(token: Tokens.Code, language: string): string | null {
	const highlight = activeHighlight;
	if (!highlight || !language || token.text.length > maxHighlightedChars) return null;
	// A fence still open is an answer still streaming: highlight it once, when it closes.
	if (!isClosedFence(token)) return null;
	const key = `${language}\u0000${token.text}`;
	const cached = highlightCache.get(key);
	if (cached !== undefined) return cached;
	let html: string | null;
	try {
		html = highlight(token.text, language);
	} catch {
		html = null;
	}
	if (html !== null) highlightCache.set(key, html);
	return html;
}

/** An indented block is complete as it stands; a fence is once its closing line is there. */
export function isClosedFence(token: Pick<Tokens.Code, 'raw' | 'codeBlockStyle'>): boolean {
	if (token.codeBlockStyle === 'indented') return true;
	const lines = token.raw.replace(/\s+$/, '').split('\n');
	const open = /^ {0,3}(`{3,}|~{3,})/.exec(lines[0] ?? '')?.[1];
	if (!open || lines.length < 2) return false;
	const last = (lines.at(-1) ?? '').trim();
	return last.length >= open.length && [...last].every((char) => char === open[0]);
}

function languageOf(info: string | undefined): string {
	return (info ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

function containsCode(tokens: Token[]): boolean {
	let found = false;
	void parser.walkTokens(tokens, (token) => {
		if (token.type === 'code') found = true;
	});
	return found;
}

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}
