import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { useApp } from "../app/context";
import { todoGroups } from "./reducer";
import type { TodoTask } from "./types";

/**
 * TodoStrip splits the bottom of the right pane: the session's todo list,
 * grouped by state, under a header with the progress and a close button.
 * Its height is dragged with the handle on top (Esc cancels) and remembered.
 */
export function TodoStrip() {
  const { tools } = useApp();
  const counts = tools.todoCounts.value;
  const height = tools.strip.value.height;
  const drag = useRef<{ y: number; h: number } | null>(null);

  function onPointerDown(e: PointerEvent) {
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    drag.current = { y: e.clientY, h: height };
    document.body.classList.add("resizing-y");
  }
  function onPointerMove(e: PointerEvent) {
    if (drag.current) tools.setStrip({ height: drag.current.h + (drag.current.y - e.clientY) });
  }
  function end(cancel: boolean) {
    if (cancel && drag.current) tools.setStrip({ height: drag.current.h });
    drag.current = null;
    document.body.classList.remove("resizing-y");
  }
  return (
    <section class="todo-strip" style={{ height: `${height}px` }} aria-label="Todo list">
      <div
        class="divider divider-horizontal"
        role="separator"
        aria-orientation="horizontal"
        aria-label="Resize the todo list"
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => end(false)}
        onPointerCancel={() => end(true)}
        onKeyDown={(e) => {
          if (e.key === "Escape") end(true);
          else if (e.key === "ArrowUp") tools.setStrip({ height: height + 20 });
          else if (e.key === "ArrowDown") tools.setStrip({ height: height - 20 });
        }}
      />
      <header class="todo-head">
        <strong>Todo</strong>
        <span class="muted">
          {counts.completed}/{counts.total}
          {counts.inProgress > 0 ? ` · ${counts.inProgress} in progress` : ""}
        </span>
        <button type="button" class="icon-btn" aria-label="Close the todo list" onClick={() => tools.setStrip({ open: false })}>
          ×
        </button>
      </header>
      <TodoList />
    </section>
  );
}

/** TodoList is the grouped list (the strip's body, and the phone popover). */
export function TodoList() {
  const { tools } = useApp();
  const tasks = tools.todos.value.tasks;
  const open = useSignal<number | null>(null);
  const groups = todoGroups(tasks);
  if (groups.length === 0) return <p class="empty-note">No tasks yet.</p>;
  return (
    <div class="todo-list">
      {groups.map((g) => (
        <div key={g.label} class="todo-group">
          <h4>
            {g.label} <span class="muted">{g.tasks.length}</span>
          </h4>
          <ul>
            {g.tasks.map((t) => (
              <TaskRow key={t.id} t={t} all={tasks} open={open.value === t.id} onToggle={() => (open.value = open.value === t.id ? null : t.id)} />
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function TaskRow({ t, all, open, onToggle }: { t: TodoTask; all: TodoTask[]; open: boolean; onToggle: () => void }) {
  const blockers = (t.blockedBy ?? []).map((id) => all.find((x) => x.id === id)).filter((x): x is TodoTask => !!x);
  const waiting = blockers.some((b) => b.status !== "completed" && b.status !== "deleted");
  return (
    <li class={`todo-row todo-${t.status}`}>
      <button type="button" class="todo-task" aria-expanded={open} onClick={onToggle}>
        <span class="todo-mark" aria-hidden="true">
          {t.status === "completed" ? "●" : t.status === "in_progress" ? "◐" : "○"}
        </span>
        <span class="todo-subject">{t.status === "in_progress" && t.activeForm ? t.activeForm : t.subject}</span>
        {waiting && <span class="pill">blocked</span>}
        <span class="muted">#{t.id}</span>
      </button>
      {open && (
        <div class="todo-detail">
          {t.status === "in_progress" && t.activeForm && <p>{t.subject}</p>}
          {t.description ? <p>{t.description}</p> : <p class="muted">No description.</p>}
          {blockers.length > 0 && (
            <p>
              Blocked by:{" "}
              {blockers.map((b, i) => (
                <span key={b.id}>
                  {i > 0 && ", "}#{b.id} {b.subject} <span class="muted">({b.status.replace("_", " ")})</span>
                </span>
              ))}
            </p>
          )}
          {t.owner && <p class="muted">Owner: {t.owner}</p>}
        </div>
      )}
    </li>
  );
}
