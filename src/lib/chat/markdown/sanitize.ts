import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';

/*
 * The sanitizer is the guard between model output and the page. The Markdown renderer already
 * shows raw HTML as text, so what reaches this point should be only the renderer's own markup;
 * the allow-list below still assumes the worst ([RD2], [RD3]).
 */

const allowedTags = [
	'p',
	'br',
	'hr',
	'h3',
	'h4',
	'h5',
	'h6',
	'strong',
	'em',
	'del',
	'code',
	'pre',
	'blockquote',
	'ul',
	'ol',
	'li',
	'a',
	'table',
	'thead',
	'tbody',
	'tr',
	'th',
	'td',
	'span',
	'div'
];

const allowedAttributes = ['href', 'title', 'class', 'align', 'start'];

/** http(s) and mailto only; DOMPurify strips whitespace and control characters before testing. */
const allowedUrl = /^(?:https?:|mailto:)/i;

/**
 * Classes the renderer and highlight.js write. Anything else (an app class such as `dialog`,
 * which could dress text up as the app's own UI) is dropped.
 */
const allowedClass = /^(?:md-[a-z-]+|hljs(?:-[a-z_-]+)?|[a-z]+_+|language-[\w+#.-]+)$/;

const config: Config = {
	ALLOWED_TAGS: allowedTags,
	ALLOWED_ATTR: allowedAttributes,
	ALLOWED_URI_REGEXP: allowedUrl,
	// DOMPurify tests every other attribute's value against the URL rule too; these hold numbers
	// and keywords, never URLs.
	ADD_URI_SAFE_ATTR: ['align', 'start'],
	ALLOW_DATA_ATTR: false,
	ALLOW_ARIA_ATTR: false,
	ALLOW_UNKNOWN_PROTOCOLS: false,
	// SVG, MathML and the like are dropped with everything inside them, not unwrapped.
	ADD_FORBID_CONTENTS: ['object', 'embed', 'textarea', 'select', 'button'],
	KEEP_CONTENT: true
};

let purifier: Purifier | undefined;

/** One DOMPurify of our own, so its hooks never touch another user of the library. */
function instance(): Purifier {
	if (purifier) return purifier;
	const own = DOMPurify(window);
	own.addHook('uponSanitizeAttribute', (_node, data) => {
		if (data.attrName !== 'class') return;
		data.attrValue = data.attrValue
			.split(/\s+/)
			.filter((name) => allowedClass.test(name))
			.join(' ');
		if (!data.attrValue) data.keepAttr = false;
	});
	own.addHook('afterSanitizeAttributes', (node) => {
		if (node.nodeName !== 'A') return;
		// A link that lost its href (javascript:, data:, relative...) stays as its text.
		if (!node.hasAttribute('href')) return;
		node.setAttribute('target', '_blank');
		node.setAttribute('rel', 'noopener noreferrer');
	});
	purifier = own;
	return own;
}

/** Sanitizes renderer HTML into a fragment of the current document, inert until inserted. */
export function sanitize(html: string): DocumentFragment {
	return instance().sanitize(html, { ...config, RETURN_DOM_FRAGMENT: true });
}

/** The same, as a string: for tests and callers that need markup. */
export function sanitizeToString(html: string): string {
	const holder = document.createElement('div');
	holder.append(sanitize(html));
	return holder.innerHTML;
}
