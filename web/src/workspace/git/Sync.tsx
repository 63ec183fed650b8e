import { useSignal } from "@preact/signals";
import { ApiError } from "../../api/client";
import type { GitRemote } from "../api";
import { useWorkspace } from "../store";
import type { Act } from "./FileChange";

/** Sync: fetch, pull and push with their output; options for remote, branch and upstream; remotes management. */
export function Sync({ projectId, worktree, branch, busy, act }: { projectId: string; worktree?: string; branch?: string; busy: boolean; act: Act }) {
  const ws = useWorkspace();
  const output = useSignal<{ ok: boolean; text: string } | null>(null);
  const options = useSignal(false);
  const remote = useSignal("");
  const target = useSignal("");
  const upstream = useSignal(false);
  const remotes = useSignal<GitRemote[] | null>(null);
  const adding = useSignal({ name: "", url: "", insecure: false });

  async function loadRemotes(): Promise<void> {
    try {
      remotes.value = (await ws.api.gitRemotes(projectId, worktree)).remotes;
    } catch {
      remotes.value = [];
    }
  }

  async function run(what: "Fetch" | "Pull" | "Push"): Promise<void> {
    output.value = null;
    await act(what, async () => {
      try {
        const r =
          what === "Fetch"
            ? await ws.api.gitFetch(projectId, worktree, remote.value)
            : what === "Pull"
              ? await ws.api.gitPull(projectId, worktree, remote.value, target.value)
              : await ws.api.gitPush(projectId, worktree, remote.value, target.value, upstream.value);
        output.value = { ok: true, text: r.output.trim() || `${what} done.` };
        if (what === "Pull") ws.treeVersion.value++;
      } catch (e) {
        const msg = (e as Error).message;
        const hint = e instanceof ApiError && /CONFLICT/.test(msg) ? "\nResolve the conflicts in the terminal, then commit." : "";
        output.value = { ok: false, text: msg + hint };
      }
    });
  }

  return (
    <section class="git-section" aria-label="Sync">
      <div class="git-row">
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run("Fetch")}>
          Fetch
        </button>
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run("Pull")}>
          Pull
        </button>
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run("Push")}>
          Push
        </button>
        <span class="ws-spacer" />
        <button type="button" class="btn btn-ghost btn-small" aria-expanded={options.value} onClick={() => ((options.value = !options.value), options.value && void loadRemotes())}>
          Options
        </button>
      </div>
      {options.value && (
        <div class="git-options">
          <label>
            Remote
            <input list="git-remotes" placeholder="default" value={remote.value} onInput={(e) => (remote.value = e.currentTarget.value)} />
          </label>
          <datalist id="git-remotes">{remotes.value?.map((r) => <option key={r.name} value={r.name} />)}</datalist>
          <label>
            Branch
            <input placeholder={branch ?? "current"} value={target.value} onInput={(e) => (target.value = e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={upstream.value} onChange={(e) => (upstream.value = e.currentTarget.checked)} />
            Set upstream when pushing
          </label>
          <div class="git-remotes">
            <strong>Remotes</strong>
            {remotes.value?.map((r) => (
              <div key={r.name} class="git-row">
                <span title={r.fetchUrl}>
                  {r.name} <span class="muted">{r.fetchUrl}</span> {r.insecureTls && <span class="pill pill-warn">TLS off</span>}
                </span>
                <span class="ws-spacer" />
                <button
                  type="button"
                  class="btn btn-danger btn-small"
                  disabled={busy}
                  onClick={() => window.confirm(`Remove the remote ${r.name}?`) && void act("Remove remote", () => ws.api.gitRemoveRemote(projectId, worktree, r.name)).then(loadRemotes)}
                >
                  Remove
                </button>
              </div>
            ))}
            {remotes.value?.length === 0 && <p class="muted">No remotes.</p>}
            <form
              class="git-row"
              onSubmit={(e) => {
                e.preventDefault();
                const a = adding.value;
                void act("Add remote", () => ws.api.gitAddRemote(projectId, worktree, a.name.trim(), a.url.trim(), a.insecure)).then((ok) => {
                  if (ok) adding.value = { name: "", url: "", insecure: false };
                  void loadRemotes();
                });
              }}
            >
              <input aria-label="Remote name" placeholder="origin" size={8} value={adding.value.name} onInput={(e) => (adding.value = { ...adding.value, name: e.currentTarget.value })} />
              <input aria-label="Remote URL" placeholder="https://…" value={adding.value.url} onInput={(e) => (adding.value = { ...adding.value, url: e.currentTarget.value })} />
              <label class="check" title="Skip TLS certificate checks for this remote">
                <input type="checkbox" checked={adding.value.insecure} onChange={(e) => (adding.value = { ...adding.value, insecure: e.currentTarget.checked })} />
                no TLS check
              </label>
              <button type="submit" class="btn btn-small" disabled={busy || !adding.value.name.trim() || !adding.value.url.trim()}>
                Add
              </button>
            </form>
          </div>
        </div>
      )}
      {output.value && (
        <pre class={`git-output${output.value.ok ? "" : " failed"}`} role={output.value.ok ? "status" : "alert"}>
          {output.value.text}
        </pre>
      )}
    </section>
  );
}
