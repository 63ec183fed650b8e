import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import type { ProviderInfo } from "../../api/types";
import { formatTokens } from "../../stores/chat";
import { ConfirmDialog } from "../common/Modal";
import { ErrorLine, useLoad } from "./common";

/**
 * ProvidersTab lists every provider the server knows (built-ins and
 * models.json) with whether a key is available. Keys can be stored, replaced
 * or removed; a stored key is never shown again, not even masked.
 */
export function ProvidersTab() {
  const { api, loadProviders } = useApp();
  const providers = useLoad(() => api.providers());
  const presence = useLoad(() => api.authPresence());
  const filter = useSignal("");

  async function changed() {
    await Promise.all([providers.reload(), presence.reload()]);
    void loadProviders(true);
  }

  const q = filter.value.trim().toLowerCase();
  const list = (providers.data.value?.providers ?? []).filter((p) => !q || p.provider.toLowerCase().includes(q));
  const stored = presence.data.value?.providers ?? {};
  // Providers that can be used right now come first.
  const usable = (p: ProviderInfo) => !!stored[p.provider]?.configured || p.models.some((m) => m.hasAuth);
  list.sort((a, b) => Number(usable(b)) - Number(usable(a)));
  return (
    <div class="settings-section">
      <p class="muted">
        API keys are write-only: the server stores them in <code>auth.json</code> and only ever says whether one is set. Keys in the server's environment
        count too.
      </p>
      <ErrorLine error={providers.error.value ?? presence.error.value} />
      <input class="settings-filter" type="search" placeholder="Filter providers" aria-label="Filter providers" value={filter.value} onInput={(e) => (filter.value = e.currentTarget.value)} />
      {providers.loading.value && !providers.data.value && <p class="muted">Loading…</p>}
      <ul class="card-list">
        {list.map((p) => (
          <ProviderCard key={p.provider} info={p} stored={stored[p.provider]} onChanged={changed} />
        ))}
      </ul>
    </div>
  );
}

function ProviderCard({ info, stored, onChanged }: { info: ProviderInfo; stored?: { configured: boolean; label?: string }; onChanged: () => Promise<void> }) {
  const { api } = useApp();
  const editing = useSignal(false);
  const key = useSignal("");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const confirming = useSignal(false);
  const hasStored = !!stored?.configured;
  const fromEnv = !hasStored && info.models.some((m) => m.hasAuth);

  async function save(e: Event) {
    e.preventDefault();
    if (!key.value.trim()) return;
    busy.value = true;
    error.value = null;
    try {
      await api.setApiKey(info.provider, key.value.trim());
      key.value = "";
      editing.value = false;
      await onChanged();
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      busy.value = false;
    }
  }
  async function remove() {
    busy.value = true;
    error.value = null;
    try {
      await api.removeApiKey(info.provider);
      confirming.value = false;
      await onChanged();
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      busy.value = false;
    }
  }

  return (
    <li class="card provider-card">
      <div class="card-head">
        <strong>{info.provider}</strong>
        {hasStored ? (
          <span class="pill pill-ok">{stored?.label ?? "key stored"}</span>
        ) : fromEnv ? (
          <span class="pill pill-ok">key from environment</span>
        ) : (
          <span class="pill">no key</span>
        )}
        <span class="card-actions">
          {!editing.value && (
            <button type="button" class="btn btn-small" onClick={() => (editing.value = true)}>
              {hasStored ? "Replace key" : "Add key"}
            </button>
          )}
          {hasStored && (
            <button type="button" class="btn btn-small btn-danger" onClick={() => (confirming.value = true)}>
              Remove
            </button>
          )}
        </span>
      </div>
      {editing.value && (
        <form class="key-form" onSubmit={save}>
          <label class="sr-only" for={`key-${info.provider}`}>
            API key for {info.provider}
          </label>
          <input
            id={`key-${info.provider}`}
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder={`API key for ${info.provider}`}
            value={key.value}
            onInput={(e) => (key.value = e.currentTarget.value)}
            autofocus
          />
          <button type="submit" class="btn btn-primary btn-small" disabled={busy.value || !key.value.trim()}>
            Save
          </button>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              editing.value = false;
              key.value = "";
            }}
          >
            Cancel
          </button>
        </form>
      )}
      <ErrorLine error={error.value} />
      {info.models.length > 0 && (
        <details class="disclosure">
          <summary>
            {info.models.length} model{info.models.length === 1 ? "" : "s"}
          </summary>
          <ul class="model-list">
            {info.models.map((m) => (
              <li key={m.id} class={m.hasAuth ? "" : "muted"}>
                <span>{m.name || m.id}</span> <code class="muted">{m.id}</code>
                {m.contextWindow > 0 && <span class="muted"> · ctx {formatTokens(m.contextWindow)}</span>}
                {m.reasoning && <span class="muted"> · reasoning</span>}
                {m.input?.includes("image") && <span class="muted"> · images</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {confirming.value && (
        <ConfirmDialog
          title={`Remove the ${info.provider} key?`}
          message="Sessions using this provider stop working until a key is added again."
          confirmLabel="Remove key"
          danger
          busy={busy.value}
          error={error.value}
          onConfirm={remove}
          onCancel={() => (confirming.value = false)}
        />
      )}
    </li>
  );
}
