// The open session's background processes, todo list and pending questions:
// hydrated from the session's stream (connect-time frames, then live events)
// and acted on through the tools routes.

import { computed, effect, signal, type ReadonlySignal } from "@preact/signals";
import { ApiError, type Api } from "../api/client";
import type { StreamEvent } from "../sse/stream";
import { toolsApi } from "./api";
import { initialToolsState, reduceTools, runningCount, todoCounts, withoutQuestion } from "./reducer";
import type { AnswerBody } from "./types";

export const STRIP_KEY = "pi-forge/todo-strip";
export const STRIP_HEIGHT = { min: 80, max: 600, initial: 200 } as const;

export interface StripState {
  open: boolean;
  height: number;
}

export type ToolsStore = ReturnType<typeof createToolsStore>;

export function createToolsStore(deps: {
  api: Api;
  sessionId: ReadonlySignal<string | null>;
  onStreamEvent: (f: (ev: StreamEvent) => void) => () => void;
  storage?: Storage;
}) {
  const storage = deps.storage ?? localStorage;
  const http = toolsApi(deps.api);
  const state = signal(initialToolsState());
  const strip = signal<StripState>(readStrip(storage));

  // Another session starts from nothing: its stream sends the current state.
  let last = deps.sessionId.peek();
  const disposers = [
    effect(() => {
      const sid = deps.sessionId.value;
      if (sid !== last) {
        last = sid;
        state.value = initialToolsState();
      }
    }),
    effect(() => {
      try {
        storage.setItem(STRIP_KEY, JSON.stringify(strip.value));
      } catch {
        // storage full or blocked
      }
    }),
    deps.onStreamEvent((ev) => {
      const next = reduceTools(state.peek(), ev);
      if (next !== state.peek()) state.value = next;
    }),
  ];

  const sid = () => {
    const id = deps.sessionId.peek();
    if (!id) throw new Error("No session is open.");
    return id;
  };

  return {
    state,
    http,
    strip,
    processes: computed(() => state.value.processes),
    running: computed(() => runningCount(state.value.processes)),
    todos: computed(() => state.value.todos),
    todoCounts: computed(() => todoCounts(state.value.todos.tasks)),
    pending: computed(() => state.value.pending),
    watches: computed(() => state.value.watches),
    sessionId: deps.sessionId,
    kill: (id: string) => http.kill(sid(), id),
    stdin: (id: string, input: string, end = false) => http.stdin(sid(), id, input, end),
    clearFinished: () => http.clearFinished(sid()),
    output: (id: string, tail?: number) => http.output(sid(), id, tail),
    /** openLog shows a whole log file in a new tab (fetched with the token). */
    async openLog(id: string, stream: "stdout" | "stderr"): Promise<void> {
      const blob = await http.logFile(sid(), id, stream);
      const url = URL.createObjectURL(new Blob([blob], { type: "text/plain;charset=utf-8" }));
      window.open(url, "_blank", "noopener");
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    dismissWatches: () => (state.value = { ...state.value, watches: [] }),
    /** answer sends the questionnaire's answer; the question closes at once here (the stream closes it everywhere). */
    async answer(body: AnswerBody): Promise<void> {
      try {
        await http.answer(sid(), body);
      } catch (e) {
        // 404: another tab answered first; the question is gone either way.
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }
      state.value = withoutQuestion(state.value, body.requestId);
    },
    setStrip(change: Partial<StripState>): void {
      const next = { ...strip.value, ...change };
      next.height = Math.round(Math.max(STRIP_HEIGHT.min, Math.min(STRIP_HEIGHT.max, next.height)));
      strip.value = next;
    },
    dispose: () => disposers.forEach((d) => d()),
  };
}

function readStrip(storage: Storage): StripState {
  try {
    const v = JSON.parse(storage.getItem(STRIP_KEY) ?? "null") as Partial<StripState> | null;
    return { open: v?.open === true, height: typeof v?.height === "number" ? v.height : STRIP_HEIGHT.initial };
  } catch {
    return { open: false, height: STRIP_HEIGHT.initial };
  }
}
