// Projects in display order, with create, rename, delete and reorder
// (optimistic, rolled back when the server refuses).

import { signal } from "@preact/signals";
import type { Api } from "../api/client";
import type { Project } from "../api/types";

export type ProjectsStore = ReturnType<typeof createProjectsStore>;

export function createProjectsStore(api: Api) {
  const projects = signal<Project[]>([]);
  const loaded = signal(false);
  const error = signal<string | null>(null);

  async function load(): Promise<void> {
    try {
      projects.value = (await api.listProjects()).projects;
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loaded.value = true;
    }
  }

  async function create(name: string, path: string): Promise<Project> {
    const p = await api.createProject(name, path);
    projects.value = [...projects.value, p];
    return p;
  }

  async function rename(id: string, name: string): Promise<void> {
    const p = await api.renameProject(id, name);
    projects.value = projects.value.map((x) => (x.id === id ? p : x));
  }

  async function remove(id: string): Promise<void> {
    await api.deleteProject(id);
    projects.value = projects.value.filter((x) => x.id !== id);
  }

  /** moveTo puts project id at index `to` and saves the order. */
  async function moveTo(id: string, to: number): Promise<void> {
    const before = projects.value;
    const from = before.findIndex((p) => p.id === id);
    if (from < 0) return;
    const target = Math.max(0, Math.min(before.length - 1, to));
    if (target === from) return;
    const next = before.slice();
    const [item] = next.splice(from, 1);
    next.splice(target, 0, item);
    projects.value = next;
    try {
      projects.value = (await api.reorderProjects(next.map((p) => p.id))).projects;
    } catch (e) {
      projects.value = before;
      error.value = (e as Error).message;
      throw e;
    }
  }

  return { projects, loaded, error, load, create, rename, remove, moveTo };
}
