// The app's one instance of each store, and the glue between them: the open
// session's stream feeds the chat, a lost login returns to the sign-in page,
// and stream events about the session list refresh the sidebar.

import { computed, effect, signal, untracked } from "@preact/signals";
import { createApiClient, localTokenStore, type Api } from "../api/client";
import type { ProviderInfo } from "../api/types";
import { SessionStream, streamUrl, type StreamEvent } from "../sse/stream";
import { createAuthStore } from "../stores/auth";
import { createChatStore } from "../stores/chat";
import { createProjectsStore } from "../stores/projects";
import { createSessionsStore } from "../stores/sessions";
import { createUiStore } from "../stores/ui";
import { createToolsStore } from "../tools/store";
import { createBranching } from "./branching";

export type AppState = ReturnType<typeof createAppState>;

export function createAppState() {
  // The stores need the client and the client reports to the auth store: tie
  // the knot with late-bound callbacks.
  let onUnauthorized = () => {};
  let onMustChange = () => {};
  const api: Api = createApiClient({
    token: localTokenStore(),
    onUnauthorized: () => onUnauthorized(),
    onMustChangePassword: () => onMustChange(),
  });
  const auth = createAuthStore(api);
  onUnauthorized = () => auth.unauthorized();
  onMustChange = () => auth.mustChangePassword();

  const ui = createUiStore();
  const projects = createProjectsStore(api);
  const sessions = createSessionsStore(api);
  const chat = createChatStore({
    // The stream says a compaction happened, not what the context became: fetch it.
    onCompacted: () => {
      const sid = ui.sessionId.value;
      if (!sid) return;
      const seen = chat.messages.peek().length;
      api.messages(sid).then(
        (r) => {
          if (ui.sessionId.value !== sid) return;
          // Messages that streamed in while the fetch was on its way stay.
          const lastAt = r.messages[r.messages.length - 1]?.timestamp ?? 0;
          const newer = chat.messages.peek().slice(seen).filter((m) => (m.timestamp ?? 0) > lastAt);
          chat.replaceMessages([...r.messages, ...newer]);
        },
        () => undefined,
      );
    },
    onOther: (ev) => {
      if (ev.type === "session_renamed" && typeof ev.sessionId === "string") {
        sessions.patch(ev.sessionId, { name: String(ev.name ?? "") });
      } else if (ev.type === "session_list_changed" && typeof ev.projectId === "string") {
        void sessions.load(ev.projectId);
      }
    },
  });
  /** Listeners to the open session's events besides the chat (the workspace panes follow the agent's edits). */
  const streamListeners = new Set<(ev: StreamEvent) => void>();
  /** The stream of the open session, for the connection badge. */
  const stream = signal<SessionStream | null>(null);
  /** Providers and their models (GET /config/providers), loaded when a picker first needs them. */
  const providers = signal<ProviderInfo[] | null>(null);
  let providersLoading: Promise<void> | null = null;
  function loadProviders(force = false): Promise<void> {
    if (providersLoading && !force) return providersLoading;
    providersLoading = api
      .providers()
      .then((r) => void (providers.value = r.providers))
      .catch(() => void (providersLoading = null));
    return providersLoading;
  }

  /** Bumped when skills, prompts or tools change in settings, so the composer reloads its palette. */
  const configVersion = signal(0);
  const branching = createBranching({ api, ui, sessions, chat });

  // The compaction the transcript starts with (its summary message), as a key
  // for fetching the compaction cards again.
  const compactionKey = computed(() => {
    const list = chat.messages.value;
    let key = "";
    for (let i = 0; i < list.length && i < 3; i++) if (list[i].role === "compactionSummary") key = `${list[i].timestamp ?? i}`;
    return key;
  });

  function openStream(sessionId: string): () => void {
    chat.clear();
    const s = new SessionStream({
      url: streamUrl(api.base, sessionId),
      getToken: () => api.token.get(),
      onEvent: (ev) => {
        chat.handle(ev);
        for (const f of streamListeners) f(ev);
      },
      onEnd: (end) => {
        if (end.status === 401) auth.unauthorized();
        else if (end.status === 404 || end.status === 410) {
          sessions.forget(sessionId);
          if (ui.sessionId.value === sessionId) ui.sessionId.value = null;
          ui.toast("That session no longer exists.");
        }
      },
    });
    stream.value = s;
    void s.start();
    const online = () => s.reconnectNow();
    const visible = () => document.visibilityState === "visible" && s.reconnectNow();
    window.addEventListener("online", online);
    document.addEventListener("visibilitychange", visible);
    return () => {
      s.stop();
      window.removeEventListener("online", online);
      document.removeEventListener("visibilitychange", visible);
      if (stream.value === s) stream.value = null;
    };
  }

  function start(): () => void {
    const disposers = [
      // One stream, for the open session, while signed in.
      effect(() => {
        const sid = ui.sessionId.value;
        const ready = auth.phase.value === "ready";
        return untracked(() => {
          if (!ready || !sid) {
            chat.clear();
            return undefined;
          }
          return openStream(sid);
        });
      }),
      // The sidebar's streaming dot for the open session.
      effect(() => {
        const sid = ui.sessionId.value;
        const on = chat.isStreaming.value;
        if (!sid) return;
        untracked(() => {
          const was = sessions.streaming.value.has(sid);
          sessions.setStreaming(sid, on);
          // A finished turn changes the row (first message, activity time).
          const pid = ui.projectId.value;
          if (was && !on && pid) void sessions.load(pid);
        });
      }),
      effect(() => {
        if (auth.phase.value === "ready") untracked(() => void projects.load());
      }),
      // Compaction cards: fetched when the transcript starts from a compaction.
      effect(() => {
        const key = compactionKey.value;
        const sid = ui.sessionId.value;
        if (!key || !sid) return;
        untracked(() => {
          api.compactions(sid).then(
            (r) => ui.sessionId.value === sid && (chat.compactions.value = r.compactions),
            () => undefined,
          );
        });
      }),
    ];
    void auth.boot();
    return () => disposers.forEach((d) => d());
  }

  /** onStreamEvent subscribes to every event of the open session's stream; it returns the unsubscribe. */
  function onStreamEvent(f: (ev: StreamEvent) => void): () => void {
    streamListeners.add(f);
    return () => void streamListeners.delete(f);
  }

  /** The open session's processes, todo list and pending questions (tools/). */
  const tools = createToolsStore({ api, sessionId: ui.sessionId, onStreamEvent });

  return { api, auth, ui, projects, sessions, chat, stream, providers, loadProviders, configVersion, branching, start, onStreamEvent, tools };
}
