// Sessions per project (GET /sessions?projectId), newest first, with create,
// rename and delete, and the live/streaming marks the sidebar shows.

import { signal } from "@preact/signals";
import type { Api } from "../api/client";
import type { SessionSummary } from "../api/types";

export type SessionsStore = ReturnType<typeof createSessionsStore>;

export function createSessionsStore(api: Api) {
  const byProject = signal<Record<string, SessionSummary[]>>({});
  const loading = signal<Record<string, boolean>>({});
  /** Sessions with a reply streaming right now (from their open stream). */
  const streaming = signal<Set<string>>(new Set());
  const error = signal<string | null>(null);

  function put(projectId: string, list: SessionSummary[]): void {
    byProject.value = { ...byProject.value, [projectId]: list };
  }

  function find(sessionId: string): SessionSummary | undefined {
    for (const list of Object.values(byProject.value)) {
      const s = list.find((x) => x.sessionId === sessionId);
      if (s) return s;
    }
    return undefined;
  }

  function patch(sessionId: string, change: Partial<SessionSummary>): void {
    const next: Record<string, SessionSummary[]> = {};
    let hit = false;
    for (const [pid, list] of Object.entries(byProject.value)) {
      next[pid] = list.map((s) => {
        if (s.sessionId !== sessionId) return s;
        hit = true;
        return { ...s, ...change };
      });
    }
    if (hit) byProject.value = next;
  }

  async function load(projectId: string): Promise<void> {
    loading.value = { ...loading.value, [projectId]: true };
    try {
      put(projectId, sortByRecency((await api.listSessions(projectId)).sessions));
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loading.value = { ...loading.value, [projectId]: false };
    }
  }

  async function create(projectId: string): Promise<SessionSummary> {
    const s = await api.createSession(projectId);
    const row: SessionSummary = { ...s, firstMessage: s.firstMessage ?? "", messageCount: s.messageCount ?? 0, isLive: true };
    put(projectId, [row, ...(byProject.value[projectId] ?? [])]);
    return row;
  }

  async function rename(sessionId: string, name: string): Promise<void> {
    const s = await api.renameSession(sessionId, name);
    patch(sessionId, { name: s.name ?? name });
  }

  async function remove(sessionId: string): Promise<void> {
    await api.deleteSession(sessionId);
    forget(sessionId);
  }

  function forget(sessionId: string): void {
    const next: Record<string, SessionSummary[]> = {};
    for (const [pid, list] of Object.entries(byProject.value)) next[pid] = list.filter((s) => s.sessionId !== sessionId);
    byProject.value = next;
  }

  function setStreaming(sessionId: string, on: boolean): void {
    if (streaming.peek().has(sessionId) === on) return;
    const next = new Set(streaming.peek());
    if (on) next.add(sessionId);
    else next.delete(sessionId);
    streaming.value = next;
  }

  return { byProject, loading, streaming, error, load, create, rename, remove, forget, patch, find, setStreaming };
}

export function sortByRecency(list: SessionSummary[]): SessionSummary[] {
  return list.slice().sort((a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt));
}

/** sessionLabel is what the sidebar shows: the name, else the first message, else a short id. */
export function sessionLabel(s: Pick<SessionSummary, "name" | "firstMessage" | "sessionId">): string {
  if (s.name && s.name.trim()) return s.name.trim();
  const first = (s.firstMessage ?? "").replace(/\s+/g, " ").trim();
  if (first) return first.length > 40 ? `${first.slice(0, 40)}…` : first;
  return `session ${s.sessionId.slice(0, 6)}`;
}
