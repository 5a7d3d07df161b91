/**
 * The API's error responses, as the real upstream sends them: a JSON body
 * `{type:"error", error:{type, message}, request_id}` and a `request-id` header on every
 * response. The SDK picks its error class from the status alone.
 */

export const errorTypes: Record<number, { type: string; message: string }> = {
	400: { type: 'invalid_request_error', message: 'Invalid request' },
	401: { type: 'authentication_error', message: 'invalid x-api-key' },
	402: {
		type: 'billing_error',
		message: 'Your credit balance is too low to access the Anthropic API.'
	},
	403: {
		type: 'permission_error',
		message: 'Your API key does not have permission to use the specified resource.'
	},
	404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
	413: {
		type: 'request_too_large',
		message: 'Request exceeds the maximum allowed number of bytes.'
	},
	429: {
		type: 'rate_limit_error',
		message: 'Number of request tokens has exceeded your per-minute rate limit'
	},
	500: { type: 'api_error', message: 'Internal server error' },
	504: { type: 'timeout_error', message: 'Request timed out' },
	529: { type: 'overloaded_error', message: 'Overloaded' }
};

export interface ErrorBody {
	type: 'error';
	error: { type: string; message: string };
	request_id: string;
}

export function errorBody(
	status: number,
	requestId: string,
	override: { type?: string; message?: string } = {}
): ErrorBody {
	const known = errorTypes[status] ?? { type: 'api_error', message: `HTTP ${status}` };
	return {
		type: 'error',
		error: { type: override.type ?? known.type, message: override.message ?? known.message },
		request_id: requestId
	};
}

/** What the edge (not the API) answers for an oversized body: HTML, not JSON. */
export const edgeTooLargeHtml =
	'<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n' +
	'<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n</body>\r\n</html>\r\n';
