import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import type { GitStatus, GitStatusFile, GitWorktree } from "../api";
import { RefreshIcon } from "../icons";
import { useWorkspace } from "../store";
import { setSplitDiffs, splitDiffs } from "../splitPref";
import { Branches } from "./Branches";
import { FileChange } from "./FileChange";
import { LogGraph } from "./LogGraph";
import { Sync } from "./Sync";
import "../workspace.css";

const POLL_MS = 15_000;

/** GitPanel: status with stage/unstage per file and per hunk, commit, branches, sync and the log graph. */
export function GitPanel() {
  const { ui, chat } = useApp();
  const ws = useWorkspace();
  const projectId = ws.project.value!.id;
  const status = useSignal<GitStatus | null>(null);
  const error = useSignal<string | null>(null);
  const worktrees = useSignal<GitWorktree[]>([]);
  const worktree = useSignal<string | undefined>(undefined);
  const message = useSignal("");
  const busy = useSignal(false);
  const split = splitDiffs;
  const showLog = useSignal(false);
  const version = ws.gitVersion.value;
  const wt = worktree.value;

  async function refresh(): Promise<void> {
    try {
      const st = await ws.api.gitStatus(projectId, wt);
      status.value = st;
      if (!wt) ws.setGitStatus(st);
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  useEffect(() => {
    status.value = null;
    worktree.value = undefined;
    ws.api.gitWorktrees(projectId).then(
      (r) => (worktrees.value = r.worktrees),
      () => (worktrees.value = []),
    );
  }, [projectId]);
  useEffect(() => {
    void refresh();
  }, [projectId, wt, version]);
  // Poll while the tab is visible and the agent is not running (its end refreshes anyway).
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === "visible" && !chat.isStreaming.peek()) void refresh();
    }, POLL_MS);
    return () => clearInterval(t);
  }, [projectId, wt]);

  async function act(what: string, f: () => Promise<unknown>, okText?: string): Promise<boolean> {
    busy.value = true;
    try {
      await f();
      if (okText) ui.toast(okText, "info");
      return true;
    } catch (e) {
      ui.toast(`${what}: ${(e as Error).message}`);
      return false;
    } finally {
      busy.value = false;
      await refresh();
    }
  }

  const st = status.value;
  if (error.value && !st)
    return (
      <p class="form-error ws-note" role="alert">
        {error.value}
      </p>
    );
  if (!st) return <p class="ws-loading">Loading…</p>;
  if (!st.isGitRepo)
    return (
      <div class="ws-note">
        <p>This project is not a git repository.</p>
        <button type="button" class="btn btn-primary" disabled={busy.value} onClick={() => void act("git init", () => ws.api.gitInit(projectId), "Repository created (branch main).")}>
          Initialise a repository
        </button>
      </div>
    );

  const staged = st.files.filter((f) => f.staged);
  const unstaged = st.files.filter((f) => f.unstaged && f.kind !== "untracked");
  const untracked = st.files.filter((f) => f.kind === "untracked");
  const paths = (list: GitStatusFile[]) => list.map((f) => f.path);

  async function commit(): Promise<void> {
    const text = message.value.trim();
    if (!text) return;
    if (await act("Commit", () => ws.api.gitCommit(projectId, wt, text), "Committed.")) message.value = "";
  }

  return (
    <div class="git-panel">
      <div class="ws-toolbar">
        {worktrees.value.length > 1 && (
          <select aria-label="Work tree" value={wt ?? ""} onChange={(e) => (worktree.value = e.currentTarget.value || undefined)}>
            {worktrees.value.map((w) => (
              <option key={w.path} value={w.current ? "" : w.path}>
                {w.branch ?? w.head?.slice(0, 8) ?? w.path} · {w.path.slice(w.path.lastIndexOf("/") + 1)}
              </option>
            ))}
          </select>
        )}
        <Branches projectId={projectId} worktree={wt} current={st.branch} busy={busy.value} act={act} />
        {(st.ahead ?? 0) > 0 && <span class="pill" title="commits to push">↑{st.ahead}</span>}
        {(st.behind ?? 0) > 0 && <span class="pill" title="commits to pull">↓{st.behind}</span>}
        <span class="ws-spacer" />
        <div class="seg" role="group" aria-label="Diff layout">
          <button type="button" class="toggle" aria-pressed={!split.value} onClick={() => setSplitDiffs(false)}>
            Unified
          </button>
          <button type="button" class="toggle" aria-pressed={split.value} onClick={() => setSplitDiffs(true)}>
            Split
          </button>
        </div>
        <button type="button" class="icon-btn" aria-label="Refresh" title="Refresh" onClick={() => void refresh()}>
          <RefreshIcon />
        </button>
      </div>

      <Group
        title="Staged"
        files={staged}
        action={{ label: "Unstage all", run: () => void act("Unstage", () => ws.api.gitUnstage(projectId, wt, paths(staged))) }}
        render={(f) => <FileChange key={`s:${f.path}`} file={f} staged projectId={projectId} worktree={wt} split={split.value} busy={busy.value} act={act} version={version} />}
      />
      <Group
        title="Changes"
        files={unstaged}
        action={{ label: "Stage all", run: () => void act("Stage", () => ws.api.gitStage(projectId, wt, paths(unstaged))) }}
        render={(f) => <FileChange key={`u:${f.path}`} file={f} staged={false} projectId={projectId} worktree={wt} split={split.value} busy={busy.value} act={act} version={version} />}
      />
      <Group
        title="Untracked"
        files={untracked}
        action={{ label: "Stage all", run: () => void act("Stage", () => ws.api.gitStage(projectId, wt, paths(untracked))) }}
        render={(f) => <FileChange key={`n:${f.path}`} file={f} staged={false} projectId={projectId} worktree={wt} split={split.value} busy={busy.value} act={act} version={version} />}
      />
      {st.files.length === 0 && <p class="muted ws-note">No changes.</p>}

      <section class="git-section" aria-label="Commit">
        <textarea
          class="git-message"
          rows={3}
          placeholder="Commit message (Ctrl+Enter commits)"
          aria-label="Commit message"
          value={message.value}
          onInput={(e) => (message.value = e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void commit();
            }
          }}
        />
        <div class="git-row">
          <span class="muted">{staged.length} staged</span>
          <span class="ws-spacer" />
          <button type="button" class="btn btn-primary btn-small" disabled={busy.value || staged.length === 0 || !message.value.trim()} onClick={() => void commit()}>
            Commit
          </button>
        </div>
      </section>

      <Sync projectId={projectId} worktree={wt} branch={st.branch} busy={busy.value} act={act} />

      <section class="git-section" aria-label="History">
        <button type="button" class="git-section-head" aria-expanded={showLog.value} onClick={() => (showLog.value = !showLog.value)}>
          <span aria-hidden="true">{showLog.value ? "▾" : "▸"}</span> History
        </button>
        {showLog.value && <LogGraph projectId={projectId} worktree={wt} version={version} />}
      </section>
    </div>
  );
}

function Group({ title, files, action, render }: { title: string; files: GitStatusFile[]; action: { label: string; run: () => void }; render: (f: GitStatusFile) => preact.ComponentChildren }) {
  if (files.length === 0) return null;
  return (
    <section class="git-section" aria-label={title}>
      <div class="git-row git-group-head">
        <strong>
          {title} ({files.length})
        </strong>
        <span class="ws-spacer" />
        <button type="button" class="btn btn-small" onClick={action.run}>
          {action.label}
        </button>
      </div>
      {files.map(render)}
    </section>
  );
}
