// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface PageState {
			/** A session opened to be written in (after a fork or a compact): its composer takes the focus. */
			compose?: boolean;
		}
	}
}

export {};
