import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import type { SessionTree as Tree, TreeEntry, UserMessage } from "../../api/types";
import type { NavigateOptions } from "../../app/branching";
import { abandonedBy, entryIdsForMessages, foldAnnotations, foldToolResults, isPromptEntry, treeRows, type TreeRow } from "../../tree/model";
import { Modal } from "../common/Modal";
import { NavigateDialog } from "./NavigateDialog";
import "./tree.css";

const WHO: Record<string, string> = {
  user: "You",
  assistant: "Assistant",
  toolResult: "Tool",
  bashExecution: "Shell",
  compaction: "Compaction",
  branch_summary: "Summary",
  model_change: "Model",
  thinking_level_change: "Thinking",
  custom_message: "Note",
  custom: "Extension",
};

function who(e: TreeEntry): string {
  return (e.type === "message" ? WHO[e.role ?? ""] : WHO[e.type]) ?? e.role ?? e.type;
}

/**
 * SessionTree shows every branch of the session: the active path bright, the
 * others dimmed, forks and labels marked. From any point the user can move
 * there in place, fork it into a new session, or (on a prompt) fork before it
 * to edit and resend it.
 */
export function SessionTree({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const { api, chat, branching } = useApp();
  const tree = useSignal<Tree | null>(null);
  const error = useSignal<string | null>(null);
  const selected = useSignal<string | null>(null);
  const showTools = useSignal(false);
  const confirm = useSignal<{ entry: TreeEntry; abandoned: number } | null>(null);
  const busy = useSignal(false);
  const list = useRef<HTMLDivElement>(null);
  const streaming = chat.isStreaming.value;

  async function load() {
    try {
      const t = await api.tree(sessionId);
      tree.value = t;
      error.value = null;
      if (!selected.value || !t.entries.some((e) => e.id === selected.value)) selected.value = t.leafId;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }
  // Load on open, and again whenever a turn ends.
  useEffect(() => {
    if (!streaming) void load();
  }, [sessionId, streaming]);

  const rows = useComputed<TreeRow[]>(() => (tree.value ? treeRows(tree.value, showTools.value ? foldAnnotations : foldToolResults) : []));
  const current = rows.value.find((r) => r.entry.id === selected.value) ?? null;

  // Keep the selected row in view.
  useEffect(() => {
    list.current?.querySelector(".tree-row.selected")?.scrollIntoView({ block: "nearest" });
  }, [selected.value, rows.value.length]);

  async function doNavigate(entry: TreeEntry, opts: NavigateOptions) {
    busy.value = true;
    try {
      if (await branching.navigate(sessionId, entry.id, opts)) {
        confirm.value = null;
        await load();
        if (isPromptEntry(entry)) onClose();
      }
    } finally {
      busy.value = false;
    }
  }

  function goTo(entry: TreeEntry) {
    const t = tree.value;
    if (!t || entry.id === t.leafId) return;
    const abandoned = abandonedBy(t, entry).length;
    if (streaming || abandoned > 0) confirm.value = { entry, abandoned };
    else void doNavigate(entry, {});
  }

  function promptText(entry: TreeEntry): string {
    const t = tree.value;
    const msgs = chat.messages.value;
    const at = t ? entryIdsForMessages(msgs, t).indexOf(entry.id) : -1;
    if (at >= 0) {
      const c = (msgs[at] as UserMessage).content;
      return typeof c === "string" ? c : c.map((b) => (b.type === "text" ? (b as { text: string }).text : "")).join("");
    }
    return (entry.preview ?? "").replace(/…$/, "");
  }

  function onKeyDown(e: KeyboardEvent) {
    const i = rows.value.findIndex((r) => r.entry.id === selected.value);
    let j = -1;
    if (e.key === "ArrowDown") j = Math.min(rows.value.length - 1, i + 1);
    else if (e.key === "ArrowUp") j = Math.max(0, i - 1);
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = rows.value.length - 1;
    else if (e.key === "Enter" && current) {
      e.preventDefault();
      goTo(current.entry);
      return;
    }
    if (j < 0) return;
    e.preventDefault();
    selected.value = rows.value[j]?.entry.id ?? null;
  }

  const t = tree.value;
  return (
    <Modal title="Session tree" onClose={onClose} large>
      <div class="tree-view">
        <div class="tree-toolbar">
          <label class="check">
            <input type="checkbox" checked={showTools.value} onChange={(e) => (showTools.value = e.currentTarget.checked)} />
            Show tool results
          </label>
          <span class="muted">
            {t ? `${t.entries.length} entries` : ""}
            {streaming ? " · the agent is replying" : ""}
          </span>
          <button type="button" class="btn btn-small" onClick={() => void load()}>
            Refresh
          </button>
        </div>
        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        {!t && !error.value && <p class="muted">Loading…</p>}
        {t && rows.value.length === 0 && <p class="empty-note">Nothing in this session yet.</p>}
        <div class="tree-list" role="listbox" aria-label="Entries" tabIndex={0} ref={list} onKeyDown={onKeyDown} aria-activedescendant={selected.value ? `tree-${selected.value}` : undefined}>
          {rows.value.map((r) => (
            <div
              key={r.entry.id}
              id={`tree-${r.entry.id}`}
              role="option"
              aria-selected={r.entry.id === selected.value}
              class={`tree-row${r.onPath ? " on-path" : " off-path"}${r.entry.id === selected.value ? " selected" : ""}${r.branchHead ? " branch-head" : ""}`}
              style={{ paddingLeft: `${8 + Math.min(r.depth, 16) * 16}px` }}
              onClick={() => (selected.value = r.entry.id)}
              onDblClick={() => goTo(r.entry)}
            >
              <span class={`tree-who who-${r.entry.role ?? r.entry.type}`}>{who(r.entry)}</span>
              <span class="tree-preview">{r.entry.preview || <span class="muted">({r.entry.type})</span>}</span>
              {r.entry.label && <span class="tree-label">★ {r.entry.label}</span>}
              {r.branches > 1 && (
                <span class="pill pill-info" title={`${r.branches} branches start here`}>
                  {r.branches} branches
                </span>
              )}
              {r.isLeaf && <span class="pill pill-ok">you are here</span>}
            </div>
          ))}
        </div>
        {current && (
          <div class="tree-actions" aria-label="Selected entry">
            <div class="tree-detail">
              <strong>{who(current.entry)}</strong> <span class="muted">{new Date(current.entry.timestamp).toLocaleString()}</span>
              {!current.onPath && <span class="pill">other branch</span>}
            </div>
            <div class="dialog-actions">
              <button type="button" class="btn" disabled={current.isLeaf || busy.value} onClick={() => goTo(current.entry)} title="Continue the conversation from this point, in this session">
                Go here
              </button>
              <button type="button" class="btn" onClick={() => void branching.forkAt(sessionId, current.entry.id)} title="A new session with the conversation up to this point">
                Fork to new session
              </button>
              {current.entry.type === "message" && current.entry.role === "user" && (
                <button
                  type="button"
                  class="btn btn-primary"
                  title="A new session from just before this prompt, with the prompt in the composer to edit"
                  onClick={() => void branching.editAndResubmit(sessionId, current.entry, promptText(current.entry))}
                >
                  Edit &amp; resubmit
                </button>
              )}
            </div>
          </div>
        )}
      </div>
      {confirm.value && (
        <NavigateDialog
          target={confirm.value.entry}
          abandoned={confirm.value.abandoned}
          streaming={streaming}
          busy={busy.value}
          onConfirm={(opts) => void doNavigate(confirm.value!.entry, opts)}
          onCancel={() => (confirm.value = null)}
        />
      )}
    </Modal>
  );
}
