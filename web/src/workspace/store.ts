// The workspace's shared state: which files are open in the editor (kept per
// project across reloads), where to reveal a line, and version counters the
// panes refetch on. It follows the agent: a finished write or edit tells open
// editors their file changed, and the end of a run refreshes the tree, the
// git status and the last-turn diff.

import { computed, effect, signal } from "@preact/signals";
import { useApp } from "../app/context";
import type { AppState } from "../app/state";
import type { Project } from "../api/types";
import type { StreamEvent } from "../sse/stream";
import { workspaceApi, type GitStatus } from "./api";

export interface EditorTab {
  /** Stable for the tab's life (the editor keeps its undo history under it). */
  id: string;
  /** Absolute path on the server. */
  path: string;
  dirty: boolean;
  /** The file changed on disk while the tab had unsaved edits. */
  stale: boolean;
}

export interface Reveal {
  path: string;
  line: number;
  column: number;
  seq: number;
}

const TABS_KEY = "pi-forge/editor-tabs/";
const AGENT_WRITE_TOOLS = new Set(["write", "edit"]);

export type WorkspaceStore = ReturnType<typeof createWorkspaceStore>;

export function createWorkspaceStore(app: Pick<AppState, "api" | "ui" | "projects" | "onStreamEvent">, storage: Storage = localStorage) {
  const api = workspaceApi(app.api);
  const project = computed<Project | null>(() => app.projects.projects.value.find((p) => p.id === app.ui.projectId.value) ?? null);
  const tabs = signal<EditorTab[]>([]);
  const active = signal<string | null>(null);
  const reveal = signal<Reveal | null>(null);
  /** Bumped when files may have appeared or gone (agent writes, uploads, end of a run). */
  const treeVersion = signal(0);
  /** Bumped when the git status may have changed. */
  const gitVersion = signal(0);
  /** Bumped at the end of every agent run (the last-turn diff is complete then). */
  const turnVersion = signal(0);
  /** Changed files in the project's repository (the Git tab's badge); null outside a repository. */
  const gitChanges = signal<number | null>(null);
  /** The kind of change of each changed path (repo-relative), for the file tree's colours. */
  const gitKinds = signal<ReadonlyMap<string, string>>(new Map());
  const changeListeners = new Set<(path: string) => void>();
  let nextId = 1;
  let revealSeq = 1;
  let loadedFor: string | null = null;

  // Open tabs are remembered per project.
  effect(() => {
    const p = project.value;
    const id = p?.id ?? null;
    if (id === loadedFor) return;
    loadedFor = id;
    const saved = id ? read(storage, TABS_KEY + id) : null;
    tabs.value = (saved?.paths ?? []).map((path) => ({ id: `t${nextId++}`, path, dirty: false, stale: false }));
    active.value = tabs.value.find((t) => t.path === saved?.active)?.id ?? tabs.value[0]?.id ?? null;
  });
  effect(() => {
    const list = tabs.value;
    const act = active.value;
    if (!loadedFor) return;
    const paths = list.map((t) => t.path);
    write(storage, TABS_KEY + loadedFor, { paths, active: list.find((t) => t.id === act)?.path });
  });

  // The agent's file changes, from the open session's stream.
  const toolPaths = new Map<string, string>();
  function onEvent(ev: StreamEvent): void {
    if (ev.type === "tool_execution_start" && AGENT_WRITE_TOOLS.has(String(ev.toolName))) {
      const args = (ev.args ?? {}) as { path?: unknown; file_path?: unknown };
      const p = typeof args.path === "string" ? args.path : typeof args.file_path === "string" ? args.file_path : "";
      if (p) toolPaths.set(String(ev.toolCallId), absPath(p));
    } else if (ev.type === "tool_execution_end") {
      const path = toolPaths.get(String(ev.toolCallId));
      toolPaths.delete(String(ev.toolCallId));
      if (!path || ev.isError) return;
      treeVersion.value++;
      gitVersion.value++;
      fileChanged(path);
    } else if (ev.type === "agent_end") {
      toolPaths.clear();
      treeVersion.value++;
      gitVersion.value++;
      turnVersion.value++;
    } else if (ev.type === "snapshot") {
      turnVersion.value++;
    }
  }
  app.onStreamEvent(onEvent);

  // Tool cards and other parts of the app ask for a file by event.
  if (typeof window !== "undefined") {
    window.addEventListener("pi-forge:open-file", (e) => {
      const d = (e as CustomEvent<{ path?: string; line?: number }>).detail;
      if (d?.path) openFile(absPath(d.path), d.line);
    });
  }

  /** absPath resolves a path relative to the project root. */
  function absPath(p: string): string {
    const root = project.value?.path;
    if (!root || p.startsWith("/")) return p;
    return `${root.replace(/\/+$/, "")}/${p.replace(/^\.\//, "")}`;
  }

  /** relPath is p relative to the project root (p itself when outside it). */
  function relPath(p: string): string {
    const root = project.value?.path?.replace(/\/+$/, "");
    if (root && p.startsWith(root + "/")) return p.slice(root.length + 1);
    return p;
  }

  function fileChanged(path: string): void {
    for (const f of changeListeners) f(path);
  }

  function openFile(path: string, line?: number, column?: number): void {
    let tab = tabs.value.find((t) => t.path === path);
    if (!tab) {
      tab = { id: `t${nextId++}`, path, dirty: false, stale: false };
      tabs.value = [...tabs.value, tab];
    }
    active.value = tab.id;
    if (line) reveal.value = { path, line, column: column ?? 1, seq: revealSeq++ };
  }

  function closeTab(id: string): void {
    const i = tabs.value.findIndex((t) => t.id === id);
    if (i < 0) return;
    const next = tabs.value.filter((t) => t.id !== id);
    tabs.value = next;
    if (active.value === id) active.value = next[Math.min(i, next.length - 1)]?.id ?? null;
  }

  function patchTab(id: string, change: Partial<EditorTab>): void {
    tabs.value = tabs.value.map((t) => (t.id === id ? { ...t, ...change } : t));
  }

  /** pathMoved keeps open tabs on a file (or the files of a folder) that was renamed or moved. */
  function pathMoved(from: string, to: string): void {
    tabs.value = tabs.value.map((t) => {
      if (t.path === from) return { ...t, path: to };
      if (t.path.startsWith(from + "/")) return { ...t, path: to + t.path.slice(from.length) };
      return t;
    });
  }

  /** pathDeleted closes the tabs of a deleted file or folder. */
  function pathDeleted(path: string): void {
    for (const t of tabs.value) if (t.path === path || t.path.startsWith(path + "/")) closeTab(t.id);
  }

  return {
    api,
    project,
    tabs,
    active,
    reveal,
    treeVersion,
    gitVersion,
    turnVersion,
    gitChanges,
    gitKinds,
    /** setGitStatus records the project's git status for the badge and the tree. */
    setGitStatus(st: GitStatus): void {
      gitChanges.value = st.isGitRepo ? st.files.length : null;
      gitKinds.value = new Map(st.files.map((f) => [f.path, f.kind]));
    },
    absPath,
    relPath,
    openFile,
    closeTab,
    patchTab,
    pathMoved,
    pathDeleted,
    /** fileChanged tells open editors a file changed on disk. */
    fileChanged,
    /** onFileChanged subscribes to changes of files on disk made by someone else (the agent); it returns the unsubscribe. */
    onFileChanged(f: (path: string) => void): () => void {
      changeListeners.add(f);
      return () => void changeListeners.delete(f);
    },
    /** addContext puts an @reference to a project path into the composer. */
    addContext(path: string, isDir: boolean): void {
      const rel = relPath(path) + (isDir && !path.endsWith("/") ? "/" : "");
      window.dispatchEvent(new CustomEvent("pi-forge:insert-mention", { detail: { path: rel } }));
    },
  };
}

const stores = new WeakMap<object, WorkspaceStore>();

/** useWorkspace gives components the app's workspace store (made on first use). */
export function useWorkspace(): WorkspaceStore {
  const app = useApp();
  let s = stores.get(app);
  if (!s) {
    s = createWorkspaceStore(app);
    stores.set(app, s);
  }
  return s;
}

function read(storage: Storage, key: string): { paths: string[]; active?: string } | null {
  try {
    const raw = storage.getItem(key);
    const v = raw ? (JSON.parse(raw) as { paths?: unknown; active?: unknown }) : null;
    if (!v || !Array.isArray(v.paths)) return null;
    return { paths: v.paths.filter((p): p is string => typeof p === "string"), active: typeof v.active === "string" ? v.active : undefined };
  } catch {
    return null;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or blocked: tabs are only kept for this page
  }
}
