/*
 * The Files region's tree, from the workspace's flat paths: folders exist only as prefixes of
 * file paths, so an empty folder never shows. Drawn as a flat list of rows with a depth, so deep
 * nesting indents by a capped amount instead of pushing a phone's screen sideways.
 */

export interface FolderNode {
	kind: 'folder';
	name: string;
	path: string;
	children: TreeNode[];
}
export interface FileNode {
	kind: 'file';
	name: string;
	path: string;
}
export type TreeNode = FolderNode | FileNode;

/** One drawn line of the tree. */
export interface TreeRow {
	kind: 'folder' | 'file';
	name: string;
	path: string;
	depth: number;
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Folders first, then files, each by name (`file2` before `file10`). */
function order(a: TreeNode, b: TreeNode): number {
	if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
	return byName.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The tree of normalized file paths (`a/b/c.txt`). */
export function buildTree(paths: Iterable<string>): TreeNode[] {
	const root: FolderNode = { kind: 'folder', name: '', path: '', children: [] };
	const folders = new Map<string, FolderNode>([['', root]]);
	const folderAt = (path: string): FolderNode => {
		const known = folders.get(path);
		if (known) return known;
		const cut = path.lastIndexOf('/');
		const parent = folderAt(cut < 0 ? '' : path.slice(0, cut));
		const folder: FolderNode = { kind: 'folder', name: path.slice(cut + 1), path, children: [] };
		parent.children.push(folder);
		folders.set(path, folder);
		return folder;
	};
	for (const path of paths) {
		const cut = path.lastIndexOf('/');
		const parent = folderAt(cut < 0 ? '' : path.slice(0, cut));
		parent.children.push({ kind: 'file', name: path.slice(cut + 1), path });
	}
	const sort = (nodes: TreeNode[]) => {
		nodes.sort(order);
		for (const node of nodes) if (node.kind === 'folder') sort(node.children);
	};
	sort(root.children);
	return root.children;
}

/** The rows to draw: every node in order, skipping what is inside a collapsed folder. */
export function treeRows(tree: TreeNode[], collapsed: ReadonlySet<string>): TreeRow[] {
	const rows: TreeRow[] = [];
	const walk = (nodes: TreeNode[], depth: number) => {
		for (const node of nodes) {
			rows.push({ kind: node.kind, name: node.name, path: node.path, depth });
			if (node.kind === 'folder' && !collapsed.has(node.path)) walk(node.children, depth + 1);
		}
	};
	walk(tree, 0);
	return rows;
}

/** The folder a path is in, with a trailing slash (`a/b/` for `a/b/c.txt`), or '' at the top. */
export function folderOf(path: string): string {
	const cut = path.lastIndexOf('/');
	return cut < 0 ? '' : path.slice(0, cut + 1);
}
