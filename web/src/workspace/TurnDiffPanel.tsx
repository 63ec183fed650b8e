import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { ApiError } from "../api/client";
import { useApp } from "../app/context";
import type { TurnDiffEntry } from "./api";
import { DiffBlock } from "./DiffBlock";
import { parseAny } from "./diff";
import { RefreshIcon } from "./icons";
import { setSplitDiffs, splitDiffs } from "./splitPref";
import { useWorkspace } from "./store";
import "./workspace.css";

/** TurnDiffPanel shows every file the agent wrote or edited in its last run, refreshed when a run ends. */
export function TurnDiffPanel() {
  const { ui, chat } = useApp();
  const ws = useWorkspace();
  const sessionId = ui.sessionId.value;
  const entries = useSignal<TurnDiffEntry[] | null>(null);
  const error = useSignal<string | null>(null);
  const open = useSignal<Set<string>>(new Set());
  const version = ws.turnVersion.value;
  const streaming = chat.isStreaming.value;

  async function load(): Promise<void> {
    if (!sessionId) return;
    try {
      const r = await ws.api.turnDiff(sessionId);
      entries.value = r.entries;
      open.value = new Set(r.entries.length <= 3 ? r.entries.map((e) => e.file) : []);
      error.value = null;
    } catch (e) {
      // A session that is not live has no last run to show.
      if (e instanceof ApiError && e.status === 404) entries.value = [];
      else error.value = (e as Error).message;
    }
  }

  // Fetched when the panel opens, when the session changes and after each run (never mid-stream).
  useEffect(() => {
    entries.value = null;
    if (!streaming) void load();
  }, [sessionId]);
  useEffect(() => {
    if (!streaming && version > 0) void load();
  }, [version]);

  if (!sessionId) return <p class="empty-note">Open a session to see what its last run changed.</p>;
  const list = entries.value;
  const adds = list?.reduce((n, e) => n + e.additions, 0) ?? 0;
  const dels = list?.reduce((n, e) => n + e.deletions, 0) ?? 0;
  return (
    <div class="turn-panel">
      <div class="ws-toolbar">
        <span class="muted">
          {list ? `${list.length} file${list.length === 1 ? "" : "s"}` : "Loading…"}
          {list && list.length > 0 && (
            <>
              {" "}
              <span class="d-add-count">+{adds}</span> <span class="d-del-count">−{dels}</span>
            </>
          )}
          {streaming && " · the agent is working"}
        </span>
        <span class="ws-spacer" />
        <div class="seg" role="group" aria-label="Diff layout">
          <button type="button" class="toggle" aria-pressed={!splitDiffs.value} onClick={() => setSplitDiffs(false)}>
            Unified
          </button>
          <button type="button" class="toggle" aria-pressed={splitDiffs.value} onClick={() => setSplitDiffs(true)}>
            Split
          </button>
        </div>
        <button type="button" class="icon-btn" aria-label="Refresh" title="Refresh" onClick={() => void load()}>
          <RefreshIcon />
        </button>
      </div>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      {list && list.length === 0 && <p class="muted ws-note">The last run changed no files.</p>}
      {list?.map((e) => {
        const isOpen = open.value.has(e.file);
        return (
          <section key={e.file} class="turn-file" aria-label={e.file}>
            <div class="turn-file-head">
              <button
                type="button"
                class="turn-toggle"
                aria-expanded={isOpen}
                onClick={() => {
                  const next = new Set(open.value);
                  if (isOpen) next.delete(e.file);
                  else next.add(e.file);
                  open.value = next;
                }}
              >
                <span aria-hidden="true">{isOpen ? "▾" : "▸"}</span>
                <span class="turn-path">{e.file}</span>
              </button>
              <span class="pill">{e.isPureAddition ? "new" : e.tool}</span>
              <span class="d-add-count">+{e.additions}</span>
              <span class="d-del-count">−{e.deletions}</span>
              <button type="button" class="btn btn-link btn-small" onClick={() => ws.openFile(ws.absPath(e.file))}>
                open
              </button>
            </div>
            {isOpen && <DiffBlock file={parseAny(e.diff, e.file)} split={splitDiffs.value} />}
          </section>
        );
      })}
    </div>
  );
}
