import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { GitStatusFile } from "../api";
import { DiffBlock } from "../DiffBlock";
import { parseUnified, type DiffFile } from "../diff";
import { useWorkspace } from "../store";

export type Act = (what: string, f: () => Promise<unknown>, okText?: string) => Promise<boolean>;

interface Props {
  file: GitStatusFile;
  staged: boolean;
  projectId: string;
  worktree?: string;
  split: boolean;
  busy: boolean;
  act: Act;
  version: number;
}

/** FileChange is one changed file: stage or unstage it, revert it (asks twice), or open its diff and stage single hunks. */
export function FileChange({ file, staged, projectId, worktree, split, busy, act, version }: Props) {
  const ws = useWorkspace();
  const open = useSignal(false);
  const diff = useSignal<DiffFile | null>(null);
  const armed = useSignal(false);
  const untracked = file.kind === "untracked";

  async function loadDiff(): Promise<void> {
    try {
      const r = await ws.api.gitFileDiff(projectId, worktree, file.path, staged);
      diff.value = parseUnified(r.diff)[0] ?? { path: file.path, binary: false, rows: [], hunks: 0, additions: 0, deletions: 0 };
    } catch {
      diff.value = null;
    }
  }
  useEffect(() => {
    if (open.value && !untracked) void loadDiff();
  }, [open.value, version, file.code]);
  useEffect(() => {
    if (!armed.value) return;
    const t = setTimeout(() => (armed.value = false), 4000);
    return () => clearTimeout(t);
  }, [armed.value]);

  const name = file.path.slice(file.path.lastIndexOf("/") + 1);
  const dir = file.path.slice(0, file.path.length - name.length);
  return (
    <div class="git-file">
      <div class="git-row">
        <button type="button" class="git-file-name" aria-expanded={untracked ? undefined : open.value} title={file.originalPath ? `${file.originalPath} → ${file.path}` : file.path} onClick={() => (untracked ? ws.openFile(ws.absPath(file.path)) : (open.value = !open.value))}>
          <span class={`git-code git-${file.kind}`} title={file.kind}>
            {file.code.replace(/ /g, "·")}
          </span>
          <span class="git-name">{name}</span>
          <span class="git-dir">{dir}</span>
        </button>
        <button type="button" class="icon-btn" title="Open in the editor" aria-label={`Open ${file.path}`} onClick={() => ws.openFile(ws.absPath(file.path))}>
          ↗
        </button>
        {!staged && !untracked && (
          <button
            type="button"
            class={`icon-btn${armed.value ? " armed" : ""}`}
            disabled={busy}
            title="Discard the changes (back to HEAD)"
            aria-label={armed.value ? `Confirm discarding the changes of ${file.path}` : `Discard the changes of ${file.path}`}
            onClick={() => {
              if (!armed.value) {
                armed.value = true;
                return;
              }
              armed.value = false;
              void act("Revert", () => ws.api.gitRevert(projectId, worktree, [file.path])).then((ok) => ok && ws.fileChanged(ws.absPath(file.path)));
            }}
          >
            {armed.value ? "Confirm?" : "↺"}
          </button>
        )}
        <button
          type="button"
          class="btn btn-small"
          disabled={busy}
          onClick={() => void act(staged ? "Unstage" : "Stage", () => (staged ? ws.api.gitUnstage(projectId, worktree, [file.path]) : ws.api.gitStage(projectId, worktree, [file.path])))}
        >
          {staged ? "Unstage" : "Stage"}
        </button>
      </div>
      {open.value && diff.value && (
        <DiffBlock
          file={diff.value}
          split={split}
          hunkAction={{
            label: staged ? "Unstage hunk" : "Stage hunk",
            busy,
            run: (hunk) =>
              void act(staged ? "Unstage hunk" : "Stage hunk", async () => {
                const r = await ws.api.gitApplyHunks(projectId, worktree, file.path, staged ? "unstage" : "stage", [hunk]);
                if (!r.ok) throw new Error(r.message || r.error || "the hunk could not be applied");
              }),
          }}
        />
      )}
    </div>
  );
}
