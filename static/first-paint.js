// @ts-check
/*
 * [PW20] The first frame of a start, before any of the app's modules have run: a picture of the
 * page this device showed last (the project's session list and the end of the open session), from
 * the snapshots the app keeps in localStorage (src/lib/store/session-snapshot.ts), drawn with the
 * app's own classes (app.css is already loaded). It is inert and hidden from assistive technology;
 * the app removes it once it shows the same thing itself (src/lib/ui/first-paint.ts). A classic
 * script, run while the shell is parsed: the module graph takes a few hundred milliseconds more.
 * Text goes in as text (textContent), never as HTML.
 */
(function firstPaint() {
	/** The picture stays at most this long, should the app never take over. */
	const longest = 10_000;

	try {
		const account = localStorage.getItem('tether.signed-in');
		if (!account) return;
		const route = /^\/(?:p\/([^/]+)(?:\/s\/([^/]+))?\/?)?$/.exec(location.pathname);
		if (!route) return;
		const list = parse(localStorage.getItem('tether.session-snapshot'));
		if (!list || list.account !== account || !Array.isArray(list.sessions)) return;
		const project = route[1] ? decodeURIComponent(route[1]) : list.project;
		if (list.project !== project) return;
		const sessionId = route[2] ? decodeURIComponent(route[2]) : undefined;
		const open = sessionId ? parse(localStorage.getItem('tether.open-session')) : undefined;
		const shown =
			open &&
			open.account === account &&
			open.project === project &&
			open.session === sessionId &&
			Array.isArray(open.messages)
				? open
				: undefined;
		// A session page whose end was not kept: the app's own first frame is the better one.
		if (sessionId && !shown) return;
		draw(project, list.sessions, sessionId, shown);
	} catch {
		// A picture only: the app starts the same without it.
	}

	/** @param {string | null} raw */
	function parse(raw) {
		if (!raw) return undefined;
		try {
			const value = JSON.parse(raw);
			return typeof value === 'object' && value !== null ? value : undefined;
		} catch {
			return undefined;
		}
	}

	/**
	 * @param {string} tag
	 * @param {Record<string, string>} [attributes]
	 * @param {Array<Node | string>} [children]
	 */
	function el(tag, attributes = {}, children = []) {
		const node = document.createElement(tag);
		for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
		for (const child of children) node.append(child);
		return node;
	}

	/**
	 * @param {string} project
	 * @param {string} session
	 */
	function sessionHref(project, session) {
		return `/p/${encodeURIComponent(project)}/s/${encodeURIComponent(session)}`;
	}

	/**
	 * @param {string} project
	 * @param {Array<{ id: unknown; title: unknown }>} sessions
	 * @param {string | undefined} sessionId
	 * @param {{ title?: unknown; messages: Array<{ role: unknown; text: unknown }> } | undefined} open
	 */
	function draw(project, sessions, sessionId, open) {
		const links = sessions
			.filter((s) => typeof s.id === 'string' && typeof s.title === 'string')
			.map((s) =>
				el('li', s.id === sessionId ? { class: 'selected' } : {}, [
					el('div', { class: 'session-link' }, [
						el('a', { href: sessionHref(project, String(s.id)) }, [String(s.title)])
					])
				])
			);
		const sidebar = el('aside', { class: 'sidebar' }, [
			el('section', { class: 'sessions', 'aria-label': 'Sessions' }, [
				el('div', { class: 'heading' }, [el('h2', {}, ['Sessions'])]),
				el('ul', {}, links)
			])
		]);
		const main = el('main', { class: 'main' });
		/** @type {HTMLElement | undefined} */
		let log;
		if (open) {
			const articles = open.messages
				.filter((m) => typeof m.text === 'string' && (m.role === 'user' || m.role === 'assistant'))
				.map((m) =>
					m.role === 'user'
						? el('article', { class: 'message user', 'aria-label': 'You' }, [
								el('header', {}, ['You']),
								el('div', { class: 'text' }, [String(m.text)]),
								el('footer', { class: 'message-actions' })
							])
						: el('article', { class: 'message assistant', 'aria-label': 'Claude' }, [
								el('header', {}, ['Claude']),
								el('div', { class: 'markdown plain' }, [String(m.text)]),
								el('footer', { class: 'message-actions' })
							])
				);
			log = el(
				'div',
				{
					class: 'conversation',
					role: 'log',
					'aria-label': 'Conversation',
					style: 'overflow: hidden'
				},
				articles
			);
			main.append(
				el('section', { class: 'session-page' }, [
					el('div', { class: 'session-header' }, [
						el('h1', { class: 'title' }, [typeof open.title === 'string' ? open.title : '']),
						// Holds the height of the model picker the page shows there.
						el('span', {
							class: 'model-picker',
							style: 'display: inline-block; visibility: hidden'
						})
					]),
					el('div', { class: 'conversation-frame' }, [log])
				])
			);
		}
		const picture = el(
			'div',
			{
				id: 'first-paint',
				'aria-hidden': 'true',
				inert: '',
				style: 'position: fixed; inset: 0; z-index: 1000; background: var(--bg)'
			},
			[
				el('div', { class: 'app' }, [
					el('div', { class: 'shell' }, [
						el('header', { class: 'topbar' }, [
							el('span', { class: 'icon-button drawer-toggle' }, ['☰']),
							el('span', { class: 'brand' }, ['Tether']),
							// Holds the height of the account's button the page shows there.
							el('span', { class: 'button small', style: 'visibility: hidden' }, ['Sign out'])
						]),
						sidebar,
						main
					])
				])
			]
		);
		document.body.prepend(picture);
		// As the app opens a conversation: at its end when it is taller than the screen, else from
		// its start.
		if (log) log.scrollTop = log.scrollHeight;
		setTimeout(() => picture.remove(), longest);
	}
})();
