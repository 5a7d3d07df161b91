import type { MessageRow } from '$lib/core/rows';

const count = new Intl.NumberFormat(undefined);

/** The discreet line under an answer: model and tokens, with the details in a tooltip. */
export function usageSummary(message: MessageRow): { text: string; title: string } | undefined {
	const { model } = message;
	// A run refused before anything streamed used nothing worth a line.
	const usage =
		message.usage && message.usage.input + message.usage.output > 0 ? message.usage : undefined;
	if (!usage && !model) return undefined;
	const parts = model ? [model] : [];
	if (usage) parts.push(`${count.format(usage.input)} in · ${count.format(usage.output)} out`);
	const title = [
		model && `Model: ${model}`,
		usage && `Input tokens: ${count.format(usage.input)}`,
		usage && `Output tokens: ${count.format(usage.output)}`,
		usage && `Cache read: ${count.format(usage.cacheRead)}`,
		usage && `Cache written: ${count.format(usage.cacheWrite)}`,
		message.stopReason && `Stop reason: ${message.stopReason}`
	]
		.filter(Boolean)
		.join('\n');
	return { text: parts.join(' · '), title };
}
