import { getContext, setContext } from 'svelte';
import type { Decision } from '$lib/core/tools/approval';

/** What a message in the conversation can ask the session to do. */
export interface ChatActions {
	/** Ask again for the answer to a person's message (a failed or interrupted run). */
	retry(messageId: string): void;
	/** Answer a file change waiting for approval (Approve, Approve for this session, Deny). */
	decide(answerId: string, toolUseId: string, decision: Decision): void;
	/** Fork from here: a new session with the conversation up to and including this message. */
	fork(messageId: string): void;
}

const key = Symbol('chat-actions');

export const setChatActions = (actions: ChatActions) => setContext(key, actions);
export const getChatActions = () => getContext<ChatActions | undefined>(key);
