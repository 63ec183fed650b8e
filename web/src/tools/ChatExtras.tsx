import { useSignal } from "@preact/signals";
import type { ComponentType } from "preact";
import { useApp } from "../app/context";
import { Lazy } from "../components/common/Lazy";
import { isMobile } from "../components/layout/media";
import { ActivityIcon, ChecklistIcon } from "./icons";
import type { QuestionRequest } from "./types";

// The questionnaire and the mobile popovers are lazy chunks.
const loadAsk = (): Promise<ComponentType<{ request: QuestionRequest; waiting: number }>> => import("./AskUserPanel").then((m) => m.AskUserPanel);
const loadProcesses = (): Promise<ComponentType<{ compact?: boolean }>> => import("./ProcessesPanel").then((m) => m.ProcessesPanel);
const loadTodos = (): Promise<ComponentType<{ compact?: boolean }>> => import("./TodoStrip").then((m) => m.TodoList);

/**
 * ChatExtras sits between the transcript and the composer: the question the
 * agent waits on, and badges for running processes and the todo list
 * (opening the right pane's Processes tab or the todo strip; popovers on a
 * phone, which has no right pane).
 */
export function ChatExtras() {
  const { tools, ui } = useApp();
  const popover = useSignal<"processes" | "todos" | null>(null);
  const pending = tools.pending.value;
  const running = tools.running.value;
  const counts = tools.todoCounts.value;
  const mobile = isMobile.value;
  const first = pending[0];

  function openProcesses() {
    if (mobile) popover.value = popover.value === "processes" ? null : "processes";
    else ui.setLayout({ rightOpen: true, rightTab: "processes" });
  }
  function toggleTodos() {
    if (mobile) {
      popover.value = popover.value === "todos" ? null : "todos";
      return;
    }
    const open = !tools.strip.value.open;
    tools.setStrip({ open });
    if (open) ui.setLayout({ rightOpen: true });
  }

  return (
    <>
      {first && (
        <Lazy key={first.requestId} load={loadAsk} props={{ request: first, waiting: pending.length - 1 }} fallback={<p class="ask-loading muted">Loading the agent's question…</p>} />
      )}
      {(running > 0 || counts.total > 0) && (
        <div class="tool-badges">
          {running > 0 && (
            <button type="button" class="tool-badge badge-running" onClick={openProcesses} aria-expanded={mobile ? popover.value === "processes" : undefined} title="Background processes running">
              <ActivityIcon /> <span>{running}</span>
              <span class="sr-only"> background processes running</span>
            </button>
          )}
          {counts.total > 0 && (
            <button
              type="button"
              class="tool-badge"
              onClick={toggleTodos}
              aria-pressed={mobile ? popover.value === "todos" : tools.strip.value.open}
              title={`Todo list: ${counts.completed} of ${counts.total} done`}
            >
              <ChecklistIcon /> <span>
                {counts.completed}/{counts.total}
              </span>
              <span class="sr-only"> tasks done</span>
            </button>
          )}
        </div>
      )}
      {mobile && popover.value && (
        <div class="tool-popover popover-panel" role="dialog" aria-label={popover.value === "processes" ? "Background processes" : "Todo list"}>
          <button type="button" class="icon-btn tool-popover-close" aria-label="Close" onClick={() => (popover.value = null)}>
            ×
          </button>
          <Lazy load={popover.value === "processes" ? loadProcesses : loadTodos} props={{ compact: true }} fallback={<p class="muted">Loading…</p>} />
        </div>
      )}
    </>
  );
}
