import { useSignal } from "@preact/signals";
import type { GitBranch } from "../api";
import { useWorkspace } from "../store";
import type { Act } from "./FileChange";

const NEW = "\u0000new";

/** Branches is the branch switcher: checkout (remote branches get a tracking branch), create, delete. */
export function Branches({ projectId, worktree, current, busy, act }: { projectId: string; worktree?: string; current?: string; busy: boolean; act: Act }) {
  const ws = useWorkspace();
  const list = useSignal<GitBranch[] | null>(null);
  const creating = useSignal(false);
  const name = useSignal("");
  const managing = useSignal(false);

  async function load(): Promise<void> {
    try {
      list.value = (await ws.api.gitBranches(projectId, worktree)).branches;
    } catch {
      list.value = [];
    }
  }

  async function pick(value: string): Promise<void> {
    if (value === NEW) {
      creating.value = true;
      return;
    }
    if (value && value !== current) await act("Checkout", () => ws.api.gitCheckout(projectId, worktree, value), `Switched to ${value}.`);
    ws.treeVersion.value++;
    void load();
  }

  async function create(): Promise<void> {
    const n = name.value.trim();
    if (!n) return;
    if (await act("New branch", () => ws.api.gitCreateBranch(projectId, worktree, n, true), `Created and switched to ${n}.`)) {
      creating.value = false;
      name.value = "";
      void load();
    }
  }

  if (creating.value)
    return (
      <form class="git-row" onSubmit={(e) => (e.preventDefault(), void create())}>
        <input aria-label="New branch name" placeholder="new-branch" value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} autoFocus onKeyDown={(e) => e.key === "Escape" && (creating.value = false)} />
        <button type="submit" class="btn btn-small" disabled={busy || !name.value.trim()}>
          Create
        </button>
        <button type="button" class="btn btn-ghost btn-small" onClick={() => (creating.value = false)}>
          Cancel
        </button>
      </form>
    );
  const branches = list.value;
  return (
    <>
      <select
        aria-label="Branch"
        class="git-branch"
        value={current ?? ""}
        disabled={busy}
        onFocus={() => branches === null && void load()}
        onMouseDown={() => branches === null && void load()}
        onChange={(e) => void pick(e.currentTarget.value)}
      >
        {!branches?.some((b) => b.name === current) && <option value={current ?? ""}>{current ?? "(no branch)"}</option>}
        {branches?.filter((b) => !b.remote).map((b) => <option key={b.name} value={b.name}>{b.name}</option>)}
        {branches?.some((b) => b.remote) && (
          <optgroup label="Remote">
            {branches.filter((b) => b.remote).map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </optgroup>
        )}
        <option value={NEW}>New branch…</option>
      </select>
      <button type="button" class="icon-btn" title="Manage branches" aria-label="Manage branches" aria-expanded={managing.value} onClick={() => ((managing.value = !managing.value), void load())}>
        ⋮
      </button>
      {managing.value && branches && (
        <div class="git-branch-list" role="list" aria-label="Local branches">
          {branches.filter((b) => !b.remote).map((b) => (
            <div key={b.name} class="git-row" role="listitem">
              <span class={b.current ? "git-current" : undefined}>{b.name}</span>
              <span class="ws-spacer" />
              {!b.current && (
                <button
                  type="button"
                  class="btn btn-danger btn-small"
                  disabled={busy}
                  onClick={() => {
                    if (!window.confirm(`Delete the branch ${b.name}?`)) return;
                    void act("Delete branch", () => ws.api.gitDeleteBranch(projectId, worktree, b.name, false)).then(async (ok) => {
                      if (!ok && window.confirm(`${b.name} is not fully merged. Delete it anyway?`)) await act("Delete branch", () => ws.api.gitDeleteBranch(projectId, worktree, b.name, true));
                      void load();
                    });
                  }}
                >
                  Delete
                </button>
              )}
            </div>
          ))}
        </div>
      )}
    </>
  );
}
