import { useSignal } from "@preact/signals";
import type { McpServerConfig, McpTransport } from "./api";
import { configFromForm, type KeyValue, type ServerForm } from "./store";

/**
 * ServerFormView adds or edits a global server: a remote URL (transport,
 * headers, TLS) or a local command (args one per line, cwd, env). Stored
 * header and env values are never shown: their rows say "stored" and keep
 * the value unless something is typed over it.
 */
export function ServerFormView(p: {
  initial: ServerForm;
  isNew: boolean;
  taken: string[];
  onSave: (name: string, cfg: McpServerConfig) => Promise<void>;
  onCancel: () => void;
}) {
  const form = useSignal<ServerForm>(p.initial);
  const error = useSignal<string | null>(null);
  const saving = useSignal(false);
  const f = form.value;
  const set = (patch: Partial<ServerForm>) => (form.value = { ...form.value, ...patch });

  async function submit(e: Event) {
    e.preventDefault();
    const r = configFromForm(form.value);
    if (!r.ok) {
      error.value = r.error;
      return;
    }
    if (p.isNew && p.taken.includes(r.name)) {
      error.value = `A server named ${r.name} exists already; edit it instead.`;
      return;
    }
    error.value = null;
    saving.value = true;
    try {
      await p.onSave(r.name, r.config);
    } finally {
      saving.value = false;
    }
  }

  return (
    <form class="card mcp-form" onSubmit={submit} aria-label={p.isNew ? "Add an MCP server" : `Edit ${f.name}`}>
      <label>
        Name
        <input value={f.name} disabled={!p.isNew} maxLength={64} required onInput={(e) => set({ name: e.currentTarget.value })} />
      </label>
      <fieldset class="mcp-kind">
        <legend>Connects to</legend>
        <label class="check">
          <input type="radio" name="mcp-kind" checked={f.kind === "remote"} onChange={() => set({ kind: "remote" })} />
          Remote URL
        </label>
        <label class="check">
          <input type="radio" name="mcp-kind" checked={f.kind === "stdio"} onChange={() => set({ kind: "stdio" })} />
          Local subprocess (stdio)
        </label>
      </fieldset>
      {f.kind === "remote" ? (
        <>
          <label>
            URL
            <input type="url" value={f.url} placeholder="https://mcp.example.com/mcp" onInput={(e) => set({ url: e.currentTarget.value })} />
          </label>
          <label>
            Transport
            <select value={f.transport} onChange={(e) => set({ transport: e.currentTarget.value as McpTransport })}>
              <option value="auto">auto (streamable HTTP, then SSE)</option>
              <option value="streamable-http">streamable HTTP</option>
              <option value="sse">SSE</option>
            </select>
          </label>
          <KeyValueEditor title="Headers" noun="header" rows={f.headers} onChange={(headers) => set({ headers })} />
          <label class="check">
            <input type="checkbox" checked={f.ignoreCertificateErrors} onChange={(e) => set({ ignoreCertificateErrors: e.currentTarget.checked })} />
            Skip TLS certificate checks for this server
          </label>
        </>
      ) : (
        <>
          <label>
            Command
            <input value={f.command} placeholder="npx" onInput={(e) => set({ command: e.currentTarget.value })} />
          </label>
          <label>
            Arguments (one per line)
            <textarea rows={3} value={f.args} placeholder={"-y\n@modelcontextprotocol/server-memory"} onInput={(e) => set({ args: e.currentTarget.value })} />
          </label>
          <label>
            Working directory
            <input value={f.cwd} placeholder="the server's directory" onInput={(e) => set({ cwd: e.currentTarget.value })} />
          </label>
          <KeyValueEditor title="Environment" noun="variable" rows={f.env} onChange={(env) => set({ env })} />
          <p class="muted mcp-hint">The command gets a minimal environment (PATH, HOME, locale) plus these variables, never the server's own.</p>
        </>
      )}
      <label class="check">
        <input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
        Enabled
      </label>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="mcp-form-actions">
        <button type="submit" class="btn" disabled={saving.value}>
          {saving.value ? "Saving…" : "Save"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function KeyValueEditor(p: { title: string; noun: string; rows: KeyValue[]; onChange: (rows: KeyValue[]) => void }) {
  const update = (i: number, patch: Partial<KeyValue>) => p.onChange(p.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="mcp-kv">
      <legend>{p.title}</legend>
      {p.rows.map((r, i) => (
        <div class="mcp-kv-row" key={i}>
          <input
            aria-label={`${p.noun} name`}
            value={r.key}
            placeholder="name"
            // A stored value belongs to its name: renaming asks for the value again.
            onInput={(e) => update(i, { key: e.currentTarget.value, kept: false })}
          />
          <input
            aria-label={`${p.noun} value`}
            type="password"
            autocomplete="off"
            value={r.value}
            placeholder={r.kept ? "stored (unchanged)" : "value"}
            onInput={(e) => update(i, { value: e.currentTarget.value })}
          />
          <button type="button" class="icon-btn" aria-label={`Remove ${p.noun} ${r.key}`} onClick={() => p.onChange(p.rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="btn btn-small" onClick={() => p.onChange([...p.rows, { key: "", value: "", kept: false }])}>
        + Add {p.noun}
      </button>
    </fieldset>
  );
}
