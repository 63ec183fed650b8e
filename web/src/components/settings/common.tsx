import { useSignal, type Signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";

/** useLoad fetches once per key and keeps the result, the error and a reload. */
export function useLoad<T>(fetcher: () => Promise<T>, key: unknown[] = []) {
  const data = useSignal<T | null>(null);
  const error = useSignal<string | null>(null);
  const loading = useSignal(true);
  async function reload(): Promise<void> {
    loading.value = true;
    try {
      data.value = await fetcher();
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loading.value = false;
    }
  }
  useEffect(() => {
    void reload();
  }, key);
  return { data, error, loading, reload };
}

export function ErrorLine({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p class="form-error" role="alert">
      {error}
    </p>
  );
}

export function NextSessionNote() {
  return <p class="note-warn">Changes here apply to sessions started after the change; open sessions keep what they started with.</p>;
}

/** useProjectChoice is the project a per-project tab edits: the open one, else the first. */
export function useProjectChoice(): Signal<string | null> {
  const { ui, projects } = useApp();
  const choice = useSignal<string | null>(ui.projectId.value ?? projects.projects.value[0]?.id ?? null);
  return choice;
}

export function ProjectSelect({ value, label = "Project" }: { value: Signal<string | null>; label?: string }) {
  const { projects } = useApp();
  const list = projects.projects.value;
  if (list.length === 0) return <p class="muted">Create a project first.</p>;
  return (
    <label class="inline-field">
      {label}
      <select value={value.value ?? ""} onChange={(e) => (value.value = e.currentTarget.value || null)}>
        {list.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}
