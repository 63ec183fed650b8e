import { useSignal } from "@preact/signals";
import { useMemo } from "preact/hooks";
import { useApp } from "../app/context";
import type { ToolsConfig } from "../api/types";
import { ErrorLine, NextSessionNote, ProjectSelect, useLoad, useProjectChoice } from "../components/settings/common";
import { MCP_CHANGED, mcpApi, type McpOverview, type McpServerList } from "./api";
import { ServerCard } from "./ServerCard";
import { ServerFormView } from "./ServerForm";
import { commandLine, emptyForm, formFromConfig, projectStdio, waitingForTrust, type ServerForm } from "./store";
import "./mcp.css";

interface Loaded {
  overview: McpOverview;
  list: McpServerList;
  tools: ToolsConfig;
}

/**
 * McpTab is Settings → MCP: the master switch, result truncation, the
 * global servers (add, edit, delete, reconnect, per-tool switches) and the
 * chosen project's .mcp.json servers with the stdio trust banner.
 */
export function McpTab() {
  const { api, configVersion } = useApp();
  const mcp = useMemo(() => mcpApi(api), [api]);
  const pid = useProjectChoice();
  const data = useLoad<Loaded>(async () => {
    const [overview, list, tools] = await Promise.all([mcp.overview(), mcp.servers(pid.value), api.tools(pid.value ?? undefined)]);
    return { overview, list, tools };
  }, [pid.value]);
  const error = useSignal<string | null>(null);
  const editing = useSignal<{ form: ServerForm; isNew: boolean } | null>(null);

  async function change(fn: () => Promise<unknown>): Promise<boolean> {
    error.value = null;
    try {
      await fn();
      await data.reload();
      configVersion.value++;
      window.dispatchEvent(new Event(MCP_CHANGED));
      return true;
    } catch (e) {
      error.value = (e as Error).message;
      return false;
    }
  }

  const d = data.data.value;
  const status = d?.list.status ?? [];
  const global = status.filter((s) => s.scope === "global");
  const project = status.filter((s) => s.scope === "project");
  const toolsOf = (server: string, scope: string) => d?.tools.mcp?.find((g) => g.server === server && g.scope === scope)?.tools ?? [];

  return (
    <div class="settings-section mcp-tab">
      <p class="muted">
        MCP servers give the agent more tools: each tool appears as <code>server__tool</code>. Remote servers are reached over streamable HTTP (or SSE); local
        ones run as a subprocess (stdio).
      </p>
      <NextSessionNote />
      <ErrorLine error={data.error.value ?? error.value} />
      {d && <Switches overview={d.overview} change={change} save={(b) => mcp.saveSettings(b)} />}

      <div class="section-tools">
        <h3>Global servers</h3>
        <button type="button" class="btn btn-small" onClick={() => (editing.value = { form: emptyForm(), isNew: true })}>
          + Add server
        </button>
      </div>
      {editing.value && (
        <ServerFormView
          initial={editing.value.form}
          isNew={editing.value.isNew}
          taken={Object.keys(d?.list.servers ?? {})}
          onCancel={() => (editing.value = null)}
          onSave={async (name, cfg) => {
            if (await change(() => mcp.putServer(name, cfg))) editing.value = null;
          }}
        />
      )}
      {data.loading.value && !d && <p class="muted">Loading…</p>}
      {d && global.length === 0 && <p class="empty-note">No global servers yet.</p>}
      <ul class="card-list">
        {global.map((s) => (
          <ServerCard
            key={`g:${s.name}`}
            status={s}
            tools={toolsOf(s.name, "global")}
            projectId={pid.value}
            change={change}
            onProbe={() => change(() => mcp.probe(s.name))}
            onEdit={() => d && (editing.value = { form: formFromConfig(s.name, d.list.servers[s.name] ?? {}), isNew: false })}
            onDelete={() => change(() => mcp.deleteServer(s.name))}
          />
        ))}
      </ul>

      <div class="section-tools">
        <h3>Project servers</h3>
        <ProjectSelect value={pid} label="Project" />
      </div>
      <p class="muted">
        Read from the project's <code>.mcp.json</code>: <code>{'{"servers": {"name": {…}}}'}</code> or the Claude Desktop shape{" "}
        <code>{'{"mcpServers": {…}}'}</code>. A project server replaces a global one of the same name. Edit the file, then reconnect to pick up changes.
      </p>
      {pid.value && d && <TrustBanner list={d.list} projectId={pid.value} change={change} trust={() => mcp.trust(pid.value!)} revoke={() => mcp.revoke(pid.value!)} />}
      {d && pid.value && project.length === 0 && <p class="empty-note">This project has no MCP servers.</p>}
      <ul class="card-list">
        {project.map((s) => (
          <ServerCard
            key={`p:${s.name}`}
            status={s}
            tools={toolsOf(s.name, "project")}
            projectId={pid.value}
            change={change}
            onProbe={() => change(() => mcp.probe(s.name, pid.value))}
          />
        ))}
      </ul>
    </div>
  );
}

function Switches(p: {
  overview: McpOverview;
  change: (fn: () => Promise<unknown>) => Promise<boolean>;
  save: (b: { enabled?: boolean; truncation?: { enabled?: boolean; maxChars?: number } }) => Promise<unknown>;
}) {
  const o = p.overview;
  const maxChars = useSignal(String(o.truncation.maxChars));
  const n = Number(maxChars.value);
  const valid = Number.isInteger(n) && n >= 1 && n <= 1_000_000;
  return (
    <div class="card mcp-switches">
      <label class="check">
        <input type="checkbox" role="switch" checked={o.enabled} onChange={(e) => void p.change(() => p.save({ enabled: e.currentTarget.checked }))} />
        MCP tools in new sessions
      </label>
      <div class="mcp-truncation">
        <label class="check">
          <input
            type="checkbox"
            checked={o.truncation.enabled}
            onChange={(e) => void p.change(() => p.save({ truncation: { enabled: e.currentTarget.checked } }))}
          />
          Truncate long results
        </label>
        <label class="inline-field">
          Keep at most
          <input
            type="number"
            min={1}
            max={1000000}
            class="mcp-maxchars"
            value={maxChars.value}
            disabled={!o.truncation.enabled}
            onInput={(e) => (maxChars.value = e.currentTarget.value)}
          />
          characters
        </label>
        <button
          type="button"
          class="btn btn-small"
          disabled={!o.truncation.enabled || !valid || n === o.truncation.maxChars}
          onClick={() => void p.change(() => p.save({ truncation: { maxChars: n } }))}
        >
          Save
        </button>
      </div>
      <p class="muted mcp-hint">The middle of a longer result is cut (the first 60% and the last 40% stay); images pass through.</p>
    </div>
  );
}

function TrustBanner(p: {
  list: McpServerList;
  projectId: string;
  change: (fn: () => Promise<unknown>) => Promise<boolean>;
  trust: () => Promise<unknown>;
  revoke: () => Promise<unknown>;
}) {
  const waiting = waitingForTrust(p.list.status);
  const stdio = projectStdio(p.list.status);
  const trusted = !!p.list.stdioTrust?.trusted;
  if (!trusted && waiting.length > 0) {
    return (
      <div class="banner mcp-trust" role="alert">
        <p>
          This project's <code>.mcp.json</code> wants to run {waiting.length === 1 ? "a local command" : `${waiting.length} local commands`} on this machine:
        </p>
        <ul>
          {waiting.map((s) => (
            <li key={s.name}>
              <strong>{s.name}</strong>: <code>{commandLine(s)}</code>
            </li>
          ))}
        </ul>
        <p>Only trust projects whose files you trust: the commands run with the server's tool permissions.</p>
        <button type="button" class="btn btn-small" onClick={() => void p.change(p.trust)}>
          Trust this project
        </button>
      </div>
    );
  }
  if (trusted) {
    return (
      <p class="mcp-trusted muted">
        This project is trusted to run its local MCP servers{stdio.length ? ` (${stdio.map((s) => s.name).join(", ")})` : ""}.{" "}
        <button type="button" class="btn btn-small btn-ghost" onClick={() => void p.change(p.revoke)}>
          Revoke trust
        </button>
      </p>
    );
  }
  return null;
}
