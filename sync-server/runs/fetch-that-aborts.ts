type Fetch = typeof fetch;

const abortError = () => new DOMException('The request was aborted', 'AbortError');

/**
 * A fetch whose abort signal always ends the request, before and after the headers ([RN10]).
 *
 * Node's fetch follows the caller's signal through an internal object that it holds only
 * weakly: once the garbage collector has taken it, aborting does nothing (nodejs/node#55428,
 * nodejs/undici#3644). A stalled answer stream then never ends, and the answer says "Writing…"
 * forever. This wrapper follows the signal itself, holding what it needs: before the headers it
 * rejects the call; after them it errors the body it hands out and cancels the one it reads,
 * which closes the connection.
 */
export function fetchThatAborts(base: Fetch = fetch): Fetch {
	return async (input, init) => {
		const signal = init?.signal;
		if (!signal) return base(input, init);
		if (signal.aborted) throw abortError();
		const fetching = base(input, init);
		let onAbort = () => {};
		const aborted = new Promise<never>((_, reject) => {
			onAbort = () => reject(abortError());
		});
		signal.addEventListener('abort', onAbort, { once: true });
		let response: Response;
		try {
			response = await Promise.race([fetching, aborted]);
		} catch (error) {
			// Headers that still arrive are not read: cancelling their body closes the connection.
			fetching
				.then(
					(late) => late.body?.cancel(),
					() => undefined
				)
				.catch(() => undefined);
			throw error;
		} finally {
			signal.removeEventListener('abort', onAbort);
		}
		if (!response.body) return response;
		return new Response(followAbort(response.body, signal), {
			status: response.status,
			statusText: response.statusText,
			headers: response.headers
		});
	};
}

/** The body as a stream that errors as soon as `signal` aborts, cancelling the one it reads. */
function followAbort(
	body: ReadableStream<Uint8Array>,
	signal: AbortSignal
): ReadableStream<Uint8Array> {
	const reader = body.getReader();
	let onAbort = () => {};
	const unfollow = () => signal.removeEventListener('abort', onAbort);
	return new ReadableStream<Uint8Array>({
		start(controller) {
			onAbort = () => {
				controller.error(abortError());
				reader.cancel().catch(() => undefined);
			};
			if (signal.aborted) onAbort();
			else signal.addEventListener('abort', onAbort, { once: true });
		},
		async pull(controller) {
			try {
				const { done, value } = await reader.read();
				if (signal.aborted) return; // errored by onAbort already
				if (done) {
					unfollow();
					controller.close();
				} else {
					controller.enqueue(value);
				}
			} catch (error) {
				unfollow();
				if (!signal.aborted) controller.error(error);
			}
		},
		cancel(reason) {
			unfollow();
			return reader.cancel(reason);
		}
	});
}
