import { useSignal } from "@preact/signals";
import { useApp } from "../app/context";
import type { ProjectOverride, ToolInfo } from "../api/types";
import type { McpStatus } from "./api";
import { commandLine, STATE_LABEL, stateTone } from "./store";

/**
 * ServerCard is one server: its state, what it connects to, the last error,
 * reconnect / edit / delete (global servers only), and its tools with a
 * global switch and the chosen project's override each.
 */
export function ServerCard(p: {
  status: McpStatus;
  tools: ToolInfo[];
  projectId: string | null;
  change: (fn: () => Promise<unknown>) => Promise<boolean>;
  onProbe: () => Promise<unknown>;
  onEdit?: () => void;
  onDelete?: () => Promise<unknown>;
}) {
  const s = p.status;
  const busy = useSignal(false);
  const confirmDelete = useSignal(false);
  const run = (fn: () => Promise<unknown>) => {
    busy.value = true;
    void fn().finally(() => (busy.value = false));
  };
  const target = s.kind === "stdio" ? commandLine(s) : s.url;
  return (
    <li class="card mcp-card">
      <div class="card-head">
        <span class={`mcp-dot tone-${stateTone(s.state)}`} aria-hidden="true" />
        <strong>{s.name}</strong>
        <span class="pill">{s.kind === "stdio" ? "stdio" : (s.transport ?? "auto")}</span>
        <span class={`pill ${s.state === "error" ? "pill-error" : s.state === "connected" ? "pill-ok" : ""}`}>{STATE_LABEL[s.state] ?? s.state}</span>
        {s.state === "connected" && <span class="muted">{s.toolCount === 1 ? "1 tool" : `${s.toolCount} tools`}</span>}
        <span class="card-actions">
          <button type="button" class="btn btn-small" disabled={busy.value} title="Reconnect and list the tools again" onClick={() => run(p.onProbe)}>
            {busy.value ? "Reconnecting…" : "Reconnect"}
          </button>
          {p.onEdit && (
            <button type="button" class="btn btn-small" onClick={p.onEdit}>
              Edit
            </button>
          )}
          {p.onDelete &&
            (confirmDelete.value ? (
              <>
                <button type="button" class="btn btn-small btn-danger" onClick={() => run(p.onDelete!)}>
                  Delete {s.name}
                </button>
                <button type="button" class="btn btn-small btn-ghost" onClick={() => (confirmDelete.value = false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" class="btn btn-small btn-ghost" onClick={() => (confirmDelete.value = true)}>
                Delete
              </button>
            ))}
        </span>
      </div>
      {target && <code class="muted card-path">{target}</code>}
      {s.lastError && (
        <p class="form-error mcp-error" role="status">
          {s.lastError}
        </p>
      )}
      {p.tools.length > 0 && (
        <details class="disclosure">
          <summary>Tools ({p.tools.length})</summary>
          <ul class="mcp-tools">
            {p.tools.map((t) => (
              <ToolRow key={t.name} tool={t} projectId={p.projectId} change={p.change} />
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function ToolRow(p: { tool: ToolInfo; projectId: string | null; change: (fn: () => Promise<unknown>) => Promise<boolean> }) {
  const { api } = useApp();
  const t = p.tool;
  const pending = useSignal<boolean | null>(null);
  const on = pending.value ?? t.globalEnabled;
  const id = `mcp-t-${t.name}`.replace(/[^\w-]/g, "_");
  const setProject = (v: ProjectOverride | null) =>
    p.projectId && p.change(() => (v === null ? api.clearTool("mcp", t.name, p.projectId!) : api.setTool("mcp", t.name, v === "enabled", "project", p.projectId!)));
  return (
    <li class="mcp-tool">
      <span class={`state-dot ${t.enabled ? "on" : "off"}`} aria-hidden="true" title={t.enabled ? "On" : "Off"} />
      <span class="mcp-tool-name">
        <code>{t.shortName ?? t.name}</code>
        {t.description && <span class="muted"> — {t.description}</span>}
      </span>
      <label class="switch" for={id}>
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={on}
          onChange={(e) => {
            const v = e.currentTarget.checked;
            pending.value = v;
            void p.change(() => api.setTool("mcp", t.name, v, "global")).finally(() => (pending.value = null));
          }}
        />
        Global
      </label>
      {p.projectId && (
        <label class="inline-field tri-state">
          Project
          <select value={t.projectOverride ?? ""} onChange={(e) => void setProject((e.currentTarget.value || null) as ProjectOverride | null)}>
            <option value="">inherit ({t.globalEnabled ? "on" : "off"})</option>
            <option value="enabled">on</option>
            <option value="disabled">off</option>
          </select>
        </label>
      )}
    </li>
  );
}
