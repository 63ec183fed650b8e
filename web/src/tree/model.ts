// The session tree as the UI reads it (GET /sessions/{id}/tree): rows for a
// flat, indented view, what a move in the tree would abandon, and which tree
// entry each message of the transcript came from.

import type { AgentMessage, SessionTree, TreeEntry, UserMessage } from "../api/types";

/** Entries that only annotate others; the view folds them away. */
const HIDDEN = new Set(["label", "session_info"]);

/** Entry types that become a message of the transcript (the LLM view). */
const MESSAGE_TYPES = new Set(["message", "custom_message", "branch_summary"]);

export interface TreeRow {
  entry: TreeEntry;
  /** Indentation: grows only where the conversation branches. */
  depth: number;
  onPath: boolean;
  isLeaf: boolean;
  /** Visible children; more than one means a fork point. */
  branches: number;
  /** The first row of a branch that is not the active one. */
  branchHead: boolean;
}

export interface TreeIndex {
  byId: Map<string, TreeEntry>;
  children: Map<string | null, TreeEntry[]>;
  path: Set<string>;
}

export function indexTree(tree: SessionTree): TreeIndex {
  const byId = new Map<string, TreeEntry>();
  const children = new Map<string | null, TreeEntry[]>();
  for (const e of tree.entries) byId.set(e.id, e);
  for (const e of tree.entries) {
    // An entry whose parent is missing hangs off the root rather than vanishing.
    const parent = e.parentId !== null && byId.has(e.parentId) ? e.parentId : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(e);
  }
  return { byId, children, path: new Set(tree.branchIds) };
}

/** Which entries a view folds away, lifting their children into their place. */
export type Fold = (e: TreeEntry) => boolean;

export const foldAnnotations: Fold = (e) => HIDDEN.has(e.type);
/** foldToolResults also hides tool results, which are most of a tree and rarely a place to branch. */
export const foldToolResults: Fold = (e) => HIDDEN.has(e.type) || (e.type === "message" && e.role === "toolResult");

function visibleChildren(ix: TreeIndex, id: string | null, fold: Fold): TreeEntry[] {
  const out: TreeEntry[] = [];
  const stack = [...(ix.children.get(id) ?? [])].reverse();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (fold(e)) stack.push(...[...(ix.children.get(e.id) ?? [])].reverse());
    else out.push(e);
  }
  return out;
}

/**
 * treeRows flattens the tree depth first. A chain without forks stays at one
 * depth; at a fork each child's branch is indented one step, the active branch
 * first and the others after it, oldest first.
 */
export function treeRows(tree: SessionTree, fold: Fold = foldAnnotations): TreeRow[] {
  const ix = indexTree(tree);
  const rows: TreeRow[] = [];
  const memo = new Map<string, boolean>();
  const onPath = (id: string) => {
    let v = memo.get(id);
    if (v === undefined) memo.set(id, (v = ix.path.has(id) || pathBelow(ix, id, fold)));
    return v;
  };
  const order = (list: TreeEntry[]) => list.slice().sort((a, b) => Number(onPath(b.id)) - Number(onPath(a.id)) || a.timestamp.localeCompare(b.timestamp));
  type Item = { entry: TreeEntry; depth: number; head: boolean };
  const roots = order(visibleChildren(ix, null, fold));
  const stack: Item[] = roots
    .map((entry, i) => ({ entry, depth: roots.length > 1 ? 1 : 0, head: roots.length > 1 && i > 0 }))
    .reverse();
  while (stack.length > 0) {
    const { entry, depth, head } = stack.pop()!;
    const kids = order(visibleChildren(ix, entry.id, fold));
    rows.push({
      entry,
      depth,
      onPath: ix.path.has(entry.id),
      isLeaf: entry.id === tree.leafId || leafFolded(ix, entry.id, tree.leafId, fold),
      branches: kids.length,
      branchHead: head,
    });
    const childDepth = kids.length > 1 ? depth + 1 : depth;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ entry: kids[i], depth: childDepth, head: kids.length > 1 && i > 0 });
  }
  return rows;
}

// pathBelow: a folded entry on the active path counts for its visible parent.
function pathBelow(ix: TreeIndex, id: string, fold: Fold): boolean {
  const stack = [...(ix.children.get(id) ?? [])];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (!fold(c)) continue;
    if (ix.path.has(c.id)) return true;
    stack.push(...(ix.children.get(c.id) ?? []));
  }
  return false;
}

// leafFolded: the leaf is a folded entry (a label, a tool result) under this one.
function leafFolded(ix: TreeIndex, id: string, leafId: string | null, fold: Fold): boolean {
  if (!leafId) return false;
  let e = ix.byId.get(leafId);
  while (e && fold(e) && e.parentId) {
    if (e.parentId === id) return true;
    e = ix.byId.get(e.parentId);
  }
  return false;
}

/** pathTo lists the ids from the root to id, root first. */
export function pathTo(ix: TreeIndex, id: string | null): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let cur = id ? ix.byId.get(id) : undefined;
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    out.push(cur.id);
    cur = cur.parentId ? ix.byId.get(cur.parentId) : undefined;
  }
  return out.reverse();
}

/** isPromptEntry: navigating to it puts its text back in the composer (pi moves the leaf to its parent). */
export function isPromptEntry(e: TreeEntry): boolean {
  return (e.type === "message" && e.role === "user") || e.type === "custom_message";
}

/** newLeafFor is where the leaf lands when the user picks entry target. */
export function newLeafFor(target: TreeEntry): string | null {
  return isPromptEntry(target) ? target.parentId : target.id;
}

/**
 * abandonedBy lists the entries of the active path that a move to target
 * leaves behind (they stay in the file, off the new path). Empty means the
 * move only goes forward and needs no confirmation.
 */
export function abandonedBy(tree: SessionTree, target: TreeEntry): string[] {
  const ix = indexTree(tree);
  const next = new Set(pathTo(ix, newLeafFor(target)));
  return pathTo(ix, tree.leafId).filter((id) => !next.has(id) && !HIDDEN.has(ix.byId.get(id)?.type ?? ""));
}

/** forkPointForEdit: edit-and-resubmit forks at the message's parent; a root message forks at itself. */
export function forkPointForEdit(e: TreeEntry): string {
  return e.parentId ?? e.id;
}

function textOf(m: AgentMessage): string {
  const c = (m as UserMessage).content;
  if (typeof c === "string") return c;
  if (!Array.isArray(c)) return "";
  return c.map((b) => (b.type === "text" ? (b as { text: string }).text : "")).join("");
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

function previewMatches(entry: TreeEntry, msg: AgentMessage): boolean {
  if (msg.role !== "user" || !entry.preview) return true;
  const want = squash(entry.preview.replace(/…$/, ""));
  return squash(textOf(msg)).startsWith(want.slice(0, 60));
}

/**
 * entryIdsForMessages finds the tree entry of each transcript message, by
 * walking the active path and the messages back from their ends together
 * (the transcript is the path's messages after the latest compaction).
 * Messages it cannot place get undefined.
 */
export function entryIdsForMessages(messages: AgentMessage[], tree: SessionTree): Array<string | undefined> {
  const ix = indexTree(tree);
  const path = tree.branchIds.map((id) => ix.byId.get(id)).filter((e): e is TreeEntry => !!e && MESSAGE_TYPES.has(e.type));
  const out: Array<string | undefined> = new Array(messages.length).fill(undefined);
  let p = path.length - 1;
  for (let i = messages.length - 1; i >= 0 && p >= 0; i--) {
    const m = messages[i];
    if (m.role === "compactionSummary") break;
    const e = path[p];
    if (!roleMatches(e, m) || !previewMatches(e, m)) break;
    out[i] = e.id;
    p--;
  }
  return out;
}

function roleMatches(e: TreeEntry, m: AgentMessage): boolean {
  if (e.type === "branch_summary") return m.role === "branchSummary";
  if (e.type === "custom_message") return m.role === "custom";
  return e.role === undefined || e.role === m.role;
}
