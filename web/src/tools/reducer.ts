// The tool state of the open session as its stream describes it: processes,
// log-watch alerts, the todo list and pending questions. reduceTools is pure,
// so the store and its tests share it.

import type { StreamEvent } from "../sse/stream";
import { isLive, type ProcessInfo, type QuestionRequest, type TodoState, type TodoTask, type WatchMatch } from "./types";

export interface ToolsState {
  processes: ProcessInfo[];
  /** Bumped per process on each process_output, so an open output view refetches. */
  outputTick: Record<string, number>;
  /** Log-watch matches, newest first (at most MAX_WATCHES). */
  watches: WatchMatch[];
  todos: TodoState;
  pending: QuestionRequest[];
}

export const MAX_WATCHES = 50;

export function initialToolsState(): ToolsState {
  return { processes: [], outputTick: {}, watches: [], todos: { tasks: [], nextId: 1 }, pending: [] };
}

export function reduceTools(s: ToolsState, ev: StreamEvent): ToolsState {
  switch (ev.type) {
    case "snapshot":
      // A fresh view: the pending questions follow as their own frames.
      return { ...s, pending: [] };
    case "process_update":
      return Array.isArray(ev.processes) ? { ...s, processes: ev.processes as ProcessInfo[] } : s;
    case "process_output": {
      const id = String(ev.id ?? "");
      return id ? { ...s, outputTick: { ...s.outputTick, [id]: (s.outputTick[id] ?? 0) + 1 } } : s;
    }
    case "process_watch":
      return ev.match ? { ...s, watches: [ev.match as WatchMatch, ...s.watches].slice(0, MAX_WATCHES) } : s;
    case "todo_update":
      return Array.isArray(ev.tasks) ? { ...s, todos: { tasks: ev.tasks as TodoTask[], nextId: Number(ev.nextId ?? 1) } } : s;
    case "ask_user_question": {
      const id = String(ev.requestId ?? "");
      if (!id || !Array.isArray(ev.questions) || s.pending.some((p) => p.requestId === id)) return s;
      return { ...s, pending: [...s.pending, { requestId: id, questions: ev.questions as QuestionRequest["questions"] }] };
    }
    case "ask_user_question_cancelled":
      return withoutQuestion(s, String(ev.requestId ?? ""));
  }
  return s;
}

export function withoutQuestion(s: ToolsState, requestId: string): ToolsState {
  const pending = s.pending.filter((p) => p.requestId !== requestId);
  return pending.length === s.pending.length ? s : { ...s, pending };
}

/** runningCount is the number of live processes (the tab and composer badges). */
export function runningCount(ps: ProcessInfo[]): number {
  return ps.filter((p) => isLive(p.status)).length;
}

/** sortProcesses puts live processes first, each group newest first. */
export function sortProcesses(ps: ProcessInfo[]): ProcessInfo[] {
  return [...ps].sort((a, b) => Number(isLive(b.status)) - Number(isLive(a.status)) || b.startTime - a.startTime);
}

/** todoCounts counts the tasks that are not deleted. */
export function todoCounts(tasks: TodoTask[]): { completed: number; total: number; inProgress: number } {
  const live = tasks.filter((t) => t.status !== "deleted");
  return {
    completed: live.filter((t) => t.status === "completed").length,
    total: live.length,
    inProgress: live.filter((t) => t.status === "in_progress").length,
  };
}

/** todoGroups splits the list for the strip: in progress, pending, completed. */
export function todoGroups(tasks: TodoTask[]): Array<{ label: string; tasks: TodoTask[] }> {
  return [
    { label: "In progress", tasks: tasks.filter((t) => t.status === "in_progress") },
    { label: "Pending", tasks: tasks.filter((t) => t.status === "pending") },
    { label: "Completed", tasks: tasks.filter((t) => t.status === "completed") },
  ].filter((g) => g.tasks.length > 0);
}
