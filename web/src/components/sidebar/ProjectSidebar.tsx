import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import type { Project } from "../../api/types";
import { ProjectPicker } from "./ProjectPicker";
import { ProjectRow } from "./ProjectRow";

/** ProjectSidebar lists projects with their sessions nested, and creates new ones. */
export function ProjectSidebar() {
  const { projects } = useApp();
  const picking = useSignal(false);
  const dragging = useSignal<string | null>(null);
  const list = projects.projects.value;

  return (
    <nav class="project-sidebar" aria-label="Projects">
      <div class="sidebar-head">
        <h2>Projects</h2>
        <button type="button" class="btn btn-small" onClick={() => (picking.value = true)}>
          + New
        </button>
      </div>
      {projects.error.value && (
        <p class="form-error" role="alert">
          {projects.error.value}
        </p>
      )}
      {projects.loaded.value && list.length === 0 && (
        <div class="empty-note">
          <p>No projects yet.</p>
          <button type="button" class="btn btn-primary" onClick={() => (picking.value = true)}>
            Create a project
          </button>
        </div>
      )}
      <ul class="project-list" role="list">
        {list.map((p: Project, i: number) => (
          <ProjectRow key={p.id} project={p} index={i} count={list.length} dragging={dragging} />
        ))}
      </ul>
      {picking.value && <ProjectPicker onClose={() => (picking.value = false)} />}
    </nav>
  );
}
