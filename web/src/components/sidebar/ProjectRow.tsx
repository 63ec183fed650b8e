import { useSignal, type Signal } from "@preact/signals";
import { useApp } from "../../app/context";
import type { Project } from "../../api/types";
import { ConfirmDialog } from "../common/Modal";
import { InlineRename } from "./InlineRename";
import { SessionList } from "./SessionList";

interface Props {
  project: Project;
  index: number;
  count: number;
  dragging: Signal<string | null>;
}

/**
 * ProjectRow is one project: collapse, rename (double-click or F2), new
 * session, delete with confirmation, and reorder by drag or Alt+↑/↓.
 */
export function ProjectRow({ project, index, count, dragging }: Props) {
  const { ui, projects, sessions } = useApp();
  const collapsed = ui.collapsed.value.has(project.id);
  const renaming = useSignal(false);
  const deleting = useSignal(false);
  const dropTarget = useSignal(false);
  const active = ui.projectId.value === project.id;
  const folder = project.path.split(/[\\/]/).filter(Boolean).pop() ?? project.path;

  async function newSession() {
    try {
      const s = await sessions.create(project.id);
      if (collapsed) ui.toggleCollapsed(project.id);
      ui.openSession(project.id, s.sessionId);
    } catch (e) {
      ui.toast((e as Error).message);
    }
  }

  function move(to: number) {
    projects.moveTo(project.id, to).catch((e: Error) => ui.toast(e.message));
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.target !== e.currentTarget) return;
    if (e.altKey && e.key === "ArrowUp") move(index - 1);
    else if (e.altKey && e.key === "ArrowDown") move(index + 1);
    else if (e.key === "F2") renaming.value = true;
    else if (e.key === "Delete") deleting.value = true;
    else return;
    e.preventDefault();
  }

  return (
    <li
      class={`project${active ? " active" : ""}${dropTarget.value ? " drop-target" : ""}`}
      onDragOver={(e) => {
        if (dragging.value && dragging.value !== project.id) {
          e.preventDefault();
          dropTarget.value = true;
        }
      }}
      onDragLeave={() => (dropTarget.value = false)}
      onDrop={(e) => {
        e.preventDefault();
        dropTarget.value = false;
        const id = dragging.value;
        dragging.value = null;
        if (id && id !== project.id) projects.moveTo(id, index).catch((err: Error) => ui.toast(err.message));
      }}
    >
      <div class="project-row">
        <span
          class="drag-handle"
          draggable
          title="Drag to reorder (or Alt+↑/↓ on the project)"
          aria-hidden="true"
          onDragStart={(e) => {
            dragging.value = project.id;
            e.dataTransfer?.setData("text/plain", project.id);
          }}
          onDragEnd={() => (dragging.value = null)}
        >
          ⋮⋮
        </span>
        <button
          type="button"
          class="chevron"
          aria-label={collapsed ? `Expand ${project.name}` : `Collapse ${project.name}`}
          aria-expanded={!collapsed}
          onClick={() => ui.toggleCollapsed(project.id)}
        >
          {collapsed ? "▸" : "▾"}
        </button>
        {renaming.value ? (
          <InlineRename
            value={project.name}
            label="Project name"
            onDone={async (name) => {
              renaming.value = false;
              if (name && name !== project.name) await projects.rename(project.id, name).catch((e: Error) => ui.toast(e.message));
            }}
          />
        ) : (
          <button
            type="button"
            class="project-name"
            aria-current={active ? "true" : undefined}
            aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown F2 Delete"
            title={`${project.path}\nDouble-click or F2 to rename, Alt+↑/↓ to move`}
            onClick={() => ui.openSession(project.id, active ? ui.sessionId.value : null)}
            onDblClick={() => (renaming.value = true)}
            onKeyDown={onKeyDown}
          >
            <span class="name">{project.name}</span>
            <span class="path">{folder}</span>
          </button>
        )}
        <div class="row-actions">
          <button type="button" class="icon-btn" aria-label={`New session in ${project.name}`} title="New session" onClick={newSession}>
            +
          </button>
          <button type="button" class="icon-btn" aria-label={`Rename ${project.name}`} title="Rename" onClick={() => (renaming.value = true)}>
            ✎
          </button>
          <button type="button" class="icon-btn" aria-label={`Delete ${project.name}`} title="Delete" onClick={() => (deleting.value = true)}>
            ×
          </button>
        </div>
      </div>
      <span class="sr-only">
        Project {index + 1} of {count}
      </span>
      {!collapsed && <SessionList projectId={project.id} />}
      {deleting.value && <DeleteProjectDialog project={project} onClose={() => (deleting.value = false)} />}
    </li>
  );
}

function DeleteProjectDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const { projects, sessions, ui } = useApp();
  const ack = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const count = sessions.byProject.value[project.id]?.length ?? 0;

  async function confirm() {
    if (count > 0 && !ack.value) {
      error.value = "Tick the box to confirm the sessions go too.";
      return;
    }
    busy.value = true;
    try {
      await projects.remove(project.id);
      if (ui.projectId.value === project.id) ui.openSession(null, null);
      onClose();
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }

  return (
    <ConfirmDialog
      title={`Delete ${project.name}?`}
      danger
      busy={busy.value}
      error={error.value}
      confirmLabel="Delete project"
      onCancel={onClose}
      onConfirm={confirm}
      message={
        <>
          <p>
            The project is removed from pi-forge. Its folder <code>{project.path}</code> stays on disk.
          </p>
          {count > 0 && (
            <label class="check">
              <input type="checkbox" checked={ack.value} onChange={(e) => (ack.value = e.currentTarget.checked)} />
              Also delete its {count} session{count === 1 ? "" : "s"}.
            </label>
          )}
        </>
      }
    />
  );
}
