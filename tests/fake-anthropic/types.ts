/** The fake's public types: what tests script, fail and observe. */
import type { FakeModel } from './models.js';
import type { ScriptedReply } from './reply.js';

/** A failure before any answer: an HTTP error, or a broken or silent connection. */
export type Failure =
	| {
			status: number;
			/** Overrides the error type and message the status normally carries. */
			type?: string;
			message?: string;
			/** Seconds, sent as `retry-after` (default 1 on a 429; fractions make tests fast). */
			retryAfter?: number;
			headers?: Record<string, string>;
			/** An HTML page instead of JSON, as the edge answers an oversized body (413). */
			html?: boolean;
	  }
	/** The connection is reset before any response. */
	| { kind: 'reset' }
	/** 200 and SSE headers, then nothing: the SDK's timeout no longer covers this. */
	| { kind: 'stall' }
	/** No response at all: the SDK's own timeout fires. */
	| { kind: 'hang' };

export type Endpoint = 'messages' | 'models' | 'any';

export interface RecordedRequest {
	/** The `request-id` the fake answered with. */
	id: string;
	method: string;
	path: string;
	query: URLSearchParams;
	/** Every header except `authorization` and `x-api-key`: the key is never recorded. */
	headers: Record<string, string>;
	/** How the key came: SDK 1.x sends a bearer token, older clients `x-api-key`. */
	auth: 'bearer' | 'x-api-key' | null;
	keyAccepted: boolean;
	/** Parsed JSON body, or the raw text when it is not JSON; undefined without a body. */
	body: unknown;
	status: number | null;
	/** `client-closed`: the caller went away before the answer was complete (Stop, abort). */
	outcome: 'pending' | 'completed' | 'client-closed' | 'broken';
	at: number;
}

export interface FakeAnthropicOptions {
	/** Keys the fake accepts (Bearer or x-api-key); others get 401. */
	keys?: Iterable<string>;
	/** Also accept keys this returns true for (e.g. any `sk-ant-test-` key). */
	acceptKey?: (key: string) => boolean;
	models?: readonly FakeModel[];
	/** The answer when nothing is scripted (its blocks default to an echo of the user). */
	defaultReply?: ScriptedReply;
	/** Bodies above this get the edge's 413 page. Default 32 MB like the API. */
	maxBodyBytes?: number;
	port?: number;
	host?: string;
}

export interface FakeAnthropic {
	readonly url: string;
	readonly requests: RecordedRequest[];
	readonly keys: Set<string>;
	models: FakeModel[];
	/** Queues answers for `POST /v1/messages`, used in order; then it echoes the user. */
	script(...replies: ScriptedReply[]): void;
	/** The next `times` matching requests fail this way (before any scripted answer). */
	failNext(
		failure: Failure | number | 'reset' | 'stall' | 'hang',
		options?: { times?: number; endpoint?: Endpoint }
	): void;
	/** Requests to one path, e.g. `fake.requestsTo('/v1/messages')`. */
	requestsTo(path: string): RecordedRequest[];
	/** Polls until `count` requests to `path` arrived; rejects after `timeoutMs`. */
	waitForRequests(path: string, count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
	/** Streams and stalls still open (Stop should bring this to 0). */
	openResponses(): number;
	/** Clears queued answers, failures and recorded requests. */
	reset(): void;
	close(): Promise<void>;
}
