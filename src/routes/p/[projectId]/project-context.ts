import { getContext, setContext } from 'svelte';
import type * as Y from 'yjs';
import type { ProjectRow } from '$lib/core/rows';

/** The open project, for the pages under /p/[projectId]. */
export interface ProjectContext {
	readonly id: string;
	readonly doc: Y.Doc | undefined;
	readonly row: ProjectRow | undefined;
}

const key = Symbol('project');

export const setProject = (context: ProjectContext) => setContext(key, context);
export const getProject = () => getContext<ProjectContext>(key);
