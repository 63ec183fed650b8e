// What the screen looks like: the open project and session, pane sizes and
// which panes are open (remembered in localStorage), the theme, collapsed
// projects, the mobile drawer and toasts.

import { effect, signal } from "@preact/signals";
import { applyTheme, savedTheme, type ThemeId } from "../theme/themes";

export const LAYOUT_KEY = "pi-forge/layout";
export const ACTIVE_KEY = "pi-forge/active";
export const COLLAPSED_KEY = "pi-forge/collapsed-projects";

export type RightTab = "files" | "search" | "changes" | "git" | "processes" | "context";
export type BottomTab = "terminal";

export interface Layout {
  sidebarWidth: number;
  rightWidth: number;
  bottomHeight: number;
  sidebarOpen: boolean;
  rightOpen: boolean;
  bottomOpen: boolean;
  rightTab: RightTab;
  bottomTab: BottomTab;
}

export const DEFAULT_LAYOUT: Layout = {
  sidebarWidth: 260,
  rightWidth: 320,
  bottomHeight: 260,
  sidebarOpen: true,
  rightOpen: false,
  bottomOpen: false,
  rightTab: "files",
  bottomTab: "terminal",
};

export const LIMITS = {
  sidebarWidth: [180, 480],
  rightWidth: [220, 720],
  bottomHeight: [120, 800],
} as const;

/** The one overlay open over the workbench (they are lazy chunks). */
export type Overlay = { kind: "tree" } | { kind: "settings"; tab?: string } | null;

/** Text to put in a session's composer when it opens (fork drafts, navigation). */
export interface Draft {
  sessionId: string;
  text: string;
}

export interface Toast {
  id: number;
  kind: "error" | "info";
  text: string;
}

export type UiStore = ReturnType<typeof createUiStore>;

export function createUiStore(storage: Storage = localStorage) {
  const layout = signal<Layout>({ ...DEFAULT_LAYOUT, ...read<Partial<Layout>>(storage, LAYOUT_KEY, {}) });
  const active = read<{ projectId?: string; sessionId?: string }>(storage, ACTIVE_KEY, {});
  const projectId = signal<string | null>(active.projectId ?? null);
  const sessionId = signal<string | null>(active.sessionId ?? null);
  const collapsed = signal<Set<string>>(new Set(read<string[]>(storage, COLLAPSED_KEY, [])));
  const theme = signal<ThemeId>(savedTheme(storage));
  const drawerOpen = signal(false);
  const toasts = signal<Toast[]>([]);
  const overlay = signal<Overlay>(null);
  const draft = signal<Draft | null>(null);
  let toastId = 1;

  const disposers = [
    effect(() => write(storage, LAYOUT_KEY, layout.value)),
    effect(() => write(storage, ACTIVE_KEY, { projectId: projectId.value ?? undefined, sessionId: sessionId.value ?? undefined })),
    effect(() => write(storage, COLLAPSED_KEY, [...collapsed.value])),
  ];

  function setLayout(change: Partial<Layout>): void {
    const next = { ...layout.value, ...change };
    for (const [k, [lo, hi]] of Object.entries(LIMITS)) {
      const key = k as keyof typeof LIMITS;
      next[key] = Math.round(Math.max(lo, Math.min(hi, next[key])));
    }
    layout.value = next;
  }

  return {
    layout,
    projectId,
    sessionId,
    collapsed,
    theme,
    drawerOpen,
    toasts,
    overlay,
    draft,
    setLayout,
    resetLayout: () => (layout.value = { ...DEFAULT_LAYOUT }),
    openSession(pid: string | null, sid: string | null): void {
      projectId.value = pid;
      sessionId.value = sid;
      drawerOpen.value = false;
    },
    toggleCollapsed(pid: string): void {
      const next = new Set(collapsed.value);
      if (next.has(pid)) next.delete(pid);
      else next.add(pid);
      collapsed.value = next;
    },
    setTheme(id: ThemeId): void {
      theme.value = id;
      applyTheme(id);
    },
    toast(text: string, kind: Toast["kind"] = "error"): void {
      const id = toastId++;
      toasts.value = [...toasts.value.slice(-4), { id, kind, text }];
      setTimeout(() => (toasts.value = toasts.value.filter((t) => t.id !== id)), kind === "error" ? 8000 : 4000);
    },
    dismissToast(id: number): void {
      toasts.value = toasts.value.filter((t) => t.id !== id);
    },
    dispose: () => disposers.forEach((d) => d()),
  };
}

function read<T>(storage: Storage, key: string, fallback: T): T {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or blocked: layout is only remembered for this page
  }
}
