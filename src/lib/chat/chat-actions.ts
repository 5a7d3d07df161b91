import { getContext, setContext } from 'svelte';

/** What a message in the conversation can ask the session to do. */
export interface ChatActions {
	/** Ask again for the answer to a person's message (a failed or interrupted run). */
	retry(messageId: string): void;
}

const key = Symbol('chat-actions');

export const setChatActions = (actions: ChatActions) => setContext(key, actions);
export const getChatActions = () => getContext<ChatActions | undefined>(key);
