// The file tree as the rows on screen: only expanded folders contribute
// their children, so a large project costs only what is visible.

import type { TreeNode } from "../api";

export interface Row {
  node: TreeNode;
  depth: number;
  /** "/"-separated path relative to the root. */
  rel: string;
}

export function posixRel(node: TreeNode): string {
  return node.path.replace(/\\/g, "/");
}

export function visibleRows(root: TreeNode | null, expanded: ReadonlySet<string>): Row[] {
  const out: Row[] = [];
  if (!root) return out;
  const visit = (nodes: TreeNode[] | undefined, depth: number) => {
    for (const n of nodes ?? []) {
      const rel = posixRel(n);
      out.push({ node: n, depth, rel });
      if (n.type === "directory" && expanded.has(rel)) visit(n.children, depth + 1);
    }
  };
  visit(root.children, 0);
  return out;
}

export function parentRel(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}

export function baseName(p: string): string {
  const clean = p.replace(/\/+$/, "");
  return clean.slice(clean.lastIndexOf("/") + 1);
}

/** validName reports why a single-segment file or folder name is refused, or null. */
export function invalidName(name: string): string | null {
  const n = name.trim();
  if (!n) return "The name cannot be blank.";
  if (n === "." || n === "..") return "That name is reserved.";
  if (/[/\\\0]/.test(n)) return "Names cannot contain / or \\.";
  return null;
}
