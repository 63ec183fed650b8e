// The chat of the open session: committed messages, the assistant message
// being streamed, live tool runs, inline notices and the prompt queue. Stream
// events are applied incrementally; a snapshot replaces everything. Only the
// streaming message re-renders on deltas (streamTick), never the whole list.

import { batch, computed, signal, type Signal } from "@preact/signals";
import type { AgentMessage, AssistantMessage, BashExecutionMessage, Compaction, ToolResult, ToolResultMessage } from "../api/types";
import { applyAssistantEvent, cloneAssistant, type AssistantMessageEvent } from "../sse/delta";
import type { StreamEvent } from "../sse/stream";

export interface ToolRun {
  toolName: string;
  args: unknown;
  partial?: ToolResult;
  result?: ToolResult;
  isError?: boolean;
  startedAt: number;
  endedAt?: number;
}

export type NoticeKind = "error" | "retry" | "compaction" | "info";

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  /** Shown after this many committed messages. */
  afterIndex: number;
  at: number;
}

export interface PendingFile {
  name: string;
  size: number;
  kind: "image" | "text";
  previewUrl?: string;
}

export interface PendingPrompt {
  id: number;
  text: string;
  at: number;
  mode?: "steer" | "followUp";
  error?: string;
  files?: PendingFile[];
}

export interface ChatStoreOptions {
  /** Schedules a render of the streaming message; requestAnimationFrame in the browser. */
  schedule?: (fn: () => void) => void;
  now?: () => number;
  /** Events the chat does not own (todo_update, process_update, session_renamed, ...). */
  onOther?: (ev: StreamEvent) => void;
  /** A compaction finished: the context (and so the transcript) was rewritten on the server. */
  onCompacted?: () => void;
}

export type ChatStore = ReturnType<typeof createChatStore>;

export function createChatStore(opts: ChatStoreOptions = {}) {
  const schedule =
    opts.schedule ?? ((fn: () => void) => (typeof requestAnimationFrame === "function" ? requestAnimationFrame(fn) : setTimeout(fn, 16)));
  const now = opts.now ?? Date.now;

  const messages = signal<AgentMessage[]>([]);
  const isStreaming = signal(false);
  const compacting = signal(false);
  const notices = signal<Notice[]>([]);
  const pending = signal<PendingPrompt[]>([]);
  const queue = signal<{ steering: string[]; followUp: string[] }>({ steering: [], followUp: [] });
  const sessionName = signal<string | undefined>(undefined);
  const readOnly = signal(false);
  /** Bumped (at most once a frame) whenever the streaming draft changed. */
  const streamTick = signal(0);
  /** Bumped when a snapshot replaced the transcript, so views can re-pin. */
  const resetCount = signal(0);
  /** Compactions of the session (GET /compactions), loaded when the transcript has one. */
  const compactions = signal<Compaction[] | null>(null);
  /** `!` commands the user ran that are still running. */
  const running = signal<Array<{ id: number; command: string; excludeFromContext: boolean; at: number }>>([]);

  let draft: AssistantMessage | null = null;
  let tickScheduled = false;
  let openIndex = -1; // the non-assistant message opened by message_start
  let nextId = 1;
  const runs = new Map<string, Signal<ToolRun | undefined>>();

  /** The committed tool results by tool call id, for pairing with their calls. */
  const resultsById = computed(() => {
    const m = new Map<string, ToolResultMessage>();
    for (const msg of messages.value) if (msg.role === "toolResult") m.set((msg as ToolResultMessage).toolCallId, msg as ToolResultMessage);
    return m;
  });

  function runSignal(id: string): Signal<ToolRun | undefined> {
    let s = runs.get(id);
    if (!s) {
      s = signal<ToolRun | undefined>(undefined);
      runs.set(id, s);
    }
    return s;
  }

  function publishDraft(immediate = false): void {
    if (immediate) {
      tickScheduled = false;
      streamTick.value = streamTick.peek() + 1;
      return;
    }
    if (tickScheduled) return;
    tickScheduled = true;
    schedule(() => {
      if (!tickScheduled) return;
      tickScheduled = false;
      streamTick.value = streamTick.peek() + 1;
    });
  }

  function addNotice(kind: NoticeKind, text: string): void {
    notices.value = [...notices.value, { id: nextId++, kind, text, afterIndex: messages.value.length, at: now() }];
  }

  function append(msg: AgentMessage): void {
    messages.value = [...messages.value, msg];
  }

  function snapshot(ev: StreamEvent): void {
    batch(() => {
      messages.value = Array.isArray(ev.messages) ? (ev.messages as AgentMessage[]) : [];
      isStreaming.value = !!ev.isStreaming;
      sessionName.value = typeof ev.name === "string" ? ev.name : undefined;
      readOnly.value = !!ev.readOnly;
      const sm = ev.streamingMessage as AssistantMessage | undefined;
      draft = sm && ev.isStreaming ? cloneAssistant(sm) : null;
      openIndex = -1;
      notices.value = [];
      compacting.value = false;
      // Optimistic prompts the snapshot already holds would show twice.
      pending.value = pending.value.filter((p) => p.error);
      resetCount.value = resetCount.peek() + 1;
      publishDraft(true);
    });
  }

  function messageStart(msg: AgentMessage): void {
    if (msg.role === "assistant") {
      draft = cloneAssistant(msg as AssistantMessage);
      publishDraft(true);
      return;
    }
    batch(() => {
      if (msg.role === "user" && pending.value.length > 0) pending.value = pending.value.slice(1);
      openIndex = messages.value.length;
      append(msg);
    });
  }

  function messageEnd(msg: AgentMessage): void {
    if (msg.role === "bashExecution" && replaceLocalBash(msg as BashExecutionMessage)) return;
    if (msg.role === "assistant") {
      batch(() => {
        draft = null;
        append(msg);
        publishDraft(true);
      });
      return;
    }
    const list = messages.value;
    if (openIndex >= 0 && openIndex < list.length && list[openIndex].role === msg.role) {
      const next = list.slice();
      next[openIndex] = msg;
      messages.value = next;
    } else {
      if (msg.role === "user" && pending.value.length > 0) pending.value = pending.value.slice(1);
      append(msg);
    }
    openIndex = -1;
  }

  /** replaceLocalBash swaps the copy the UI added after POST /exec for the server's own, if there is one. */
  function replaceLocalBash(msg: BashExecutionMessage): boolean {
    const list = messages.value;
    for (let i = list.length - 1; i >= 0 && i >= list.length - 20; i--) {
      const m = list[i] as BashExecutionMessage & { local?: boolean };
      if (m.role === "bashExecution" && m.local && m.command === msg.command) {
        const next = list.slice();
        next[i] = msg;
        messages.value = next;
        if (openIndex === i) openIndex = -1;
        return true;
      }
    }
    return false;
  }

  function messageUpdate(ev: StreamEvent): void {
    // Reference framing carries the whole partial message; compact framing only the event.
    if (ev.message && typeof ev.message === "object") {
      draft = cloneAssistant(ev.message as AssistantMessage);
    } else {
      if (!draft) draft = { role: "assistant", content: [], timestamp: now() };
      applyAssistantEvent(draft, ev.assistantMessageEvent as AssistantMessageEvent);
    }
    publishDraft();
  }

  function handle(ev: StreamEvent): void {
    switch (ev.type) {
      case "snapshot":
        return snapshot(ev);
      case "agent_start":
        isStreaming.value = true;
        return;
      case "agent_end":
        batch(() => {
          isStreaming.value = false;
          if (draft) {
            draft = null;
            publishDraft(true);
          }
          if (typeof ev.errorMessage === "string" && ev.errorMessage) {
            addNotice("error", ev.errorMessage);
            // A prompt the agent refused never becomes a user message.
            pending.value = pending.value.map((p) => ({ ...p, error: p.error ?? (ev.errorMessage as string) }));
          }
          queue.value = { steering: [], followUp: [] };
        });
        return;
      case "message_start":
        if (ev.message && !((ev.message as AgentMessage).role === "bashExecution" && hasLocalBash(ev.message as BashExecutionMessage))) messageStart(ev.message as AgentMessage);
        return;
      case "message_update":
        return messageUpdate(ev);
      case "message_end":
        if (ev.message) messageEnd(ev.message as AgentMessage);
        return;
      case "tool_execution_start": {
        const id = String(ev.toolCallId ?? "");
        runSignal(id).value = { toolName: String(ev.toolName ?? ""), args: ev.args, startedAt: now() };
        return;
      }
      case "tool_execution_update": {
        const s = runSignal(String(ev.toolCallId ?? ""));
        const prev = s.value ?? { toolName: String(ev.toolName ?? ""), args: ev.args, startedAt: now() };
        s.value = { ...prev, partial: ev.partialResult as ToolResult };
        return;
      }
      case "tool_execution_end": {
        const s = runSignal(String(ev.toolCallId ?? ""));
        const prev = s.value ?? { toolName: String(ev.toolName ?? ""), args: undefined, startedAt: now() };
        s.value = { ...prev, result: ev.result as ToolResult, isError: !!ev.isError, endedAt: now() };
        return;
      }
      case "queue_update":
        queue.value = {
          steering: Array.isArray(ev.steering) ? (ev.steering as string[]) : [],
          followUp: Array.isArray(ev.followUp) ? (ev.followUp as string[]) : [],
        };
        return;
      case "compaction_start":
        batch(() => {
          compacting.value = true;
          addNotice("compaction", `Compacting context (${String(ev.reason ?? "manual")})…`);
        });
        return;
      case "compaction_end":
        batch(() => {
          compacting.value = false;
          if (ev.aborted) addNotice("info", "Compaction cancelled.");
          else if (typeof ev.errorMessage === "string" && ev.errorMessage) addNotice("error", `Compaction failed: ${ev.errorMessage}`);
          else {
            const before = (ev.result as { tokensBefore?: number } | undefined)?.tokensBefore;
            addNotice("compaction", before ? `Context compacted (was ${formatTokens(before)} tokens).` : "Context compacted.");
          }
        });
        if (!ev.aborted && !ev.errorMessage) opts.onCompacted?.();
        return;
      case "auto_retry_start": {
        const secs = Math.round(Number(ev.delayMs ?? 0) / 1000);
        addNotice("retry", `Retrying (${ev.attempt}/${ev.maxAttempts}) in ${secs}s: ${String(ev.errorMessage ?? "provider error")}`);
        return;
      }
      case "auto_retry_end":
        if (!ev.success) addNotice("error", `Gave up after ${ev.attempt} attempts: ${String(ev.finalError ?? "provider error")}`);
        return;
      case "session_renamed":
        if (typeof ev.name === "string") sessionName.value = ev.name;
        opts.onOther?.(ev);
        return;
      default:
        opts.onOther?.(ev);
    }
  }

  function hasLocalBash(msg: BashExecutionMessage): boolean {
    return messages.value.some((m) => m.role === "bashExecution" && (m as { local?: boolean }).local && (m as BashExecutionMessage).command === msg.command);
  }

  return {
    messages: messages as Signal<AgentMessage[]>,
    compactions,
    running,
    isStreaming,
    compacting,
    notices,
    pending,
    queue,
    sessionName,
    readOnly,
    streamTick,
    resetCount,
    resultsById,
    /** The assistant message being streamed (mutated in place; read streamTick to follow it). */
    draft: () => draft,
    toolRun: (id: string): Signal<ToolRun | undefined> => runSignal(id),
    handle,
    /** addPending shows a prompt the user just sent until the server echoes it. */
    addPending(text: string, mode?: "steer" | "followUp", files?: PendingFile[]): number {
      const id = nextId++;
      pending.value = [...pending.value, { id, text, at: now(), mode, files: files && files.length > 0 ? files : undefined }];
      return id;
    },
    failPending(id: number, error: string): void {
      pending.value = pending.value.map((p) => (p.id === id ? { ...p, error } : p));
    },
    dropPending(id: number): void {
      pending.value = pending.value.filter((p) => p.id !== id);
    },
    /** replaceMessages puts in the transcript the server's after a move in the tree (no stream event says so). */
    replaceMessages(list: AgentMessage[]): void {
      batch(() => {
        messages.value = list;
        openIndex = -1;
        notices.value = [];
        compactions.value = null;
        resetCount.value = resetCount.peek() + 1;
      });
    },
    /** startBash shows a `!` command as running until its result arrives. */
    startBash(command: string, excludeFromContext: boolean): number {
      const id = nextId++;
      running.value = [...running.value, { id, command, excludeFromContext, at: now() }];
      return id;
    },
    /** finishBash puts the result of POST /exec in the transcript (the stream does not carry it). */
    finishBash(id: number, msg: BashExecutionMessage | null): void {
      batch(() => {
        running.value = running.value.filter((r) => r.id !== id);
        if (msg) append({ ...msg, local: true } as AgentMessage);
      });
    },
    dismissNotice(id: number): void {
      notices.value = notices.value.filter((n) => n.id !== id);
    },
    /** clear empties the chat when another session opens. */
    clear(): void {
      batch(() => {
        messages.value = [];
        isStreaming.value = false;
        notices.value = [];
        pending.value = [];
        queue.value = { steering: [], followUp: [] };
        sessionName.value = undefined;
        readOnly.value = false;
        compactions.value = null;
        running.value = [];
        draft = null;
        runs.clear();
        resetCount.value = resetCount.peek() + 1;
        publishDraft(true);
      });
    },
  };
}

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(n);
}
