import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { THINKING_LEVELS } from "../../api/types";
import { ErrorLine, NextSessionNote, useLoad } from "./common";
import { parseJson } from "./modelsJson";

/**
 * AgentTab sets the defaults new sessions start with: provider, model and
 * thinking level (settings.json). "Edit as JSON" opens the whole file; a key
 * removed there is deleted on the server.
 */
export function AgentTab() {
  const { api, providers, loadProviders } = useApp();
  const settings = useLoad(() => api.settings());
  const provider = useSignal("");
  const model = useSignal("");
  const thinking = useSignal("");
  const asJson = useSignal(false);
  const json = useSignal("");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const saved = useSignal(false);

  useEffect(() => void loadProviders(), []);
  useEffect(() => {
    const s = settings.data.value;
    if (!s) return;
    provider.value = typeof s.defaultProvider === "string" ? s.defaultProvider : "";
    model.value = typeof s.defaultModel === "string" ? s.defaultModel : "";
    thinking.value = typeof s.defaultThinkingLevel === "string" ? s.defaultThinkingLevel : "";
    json.value = JSON.stringify(s, null, 2);
  }, [settings.data.value]);

  async function put(change: Record<string, unknown>) {
    busy.value = true;
    error.value = null;
    saved.value = false;
    try {
      settings.data.value = await api.saveSettings(change);
      saved.value = true;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }

  function saveForm(e: Event) {
    e.preventDefault();
    void put({
      defaultProvider: provider.value || null,
      defaultModel: model.value || null,
      defaultThinkingLevel: thinking.value || null,
    });
  }

  function saveJson() {
    const p = parseJson(json.value);
    if (!("value" in p) || typeof p.value !== "object" || p.value === null || Array.isArray(p.value)) {
      error.value = "problem" in p ? `Not valid JSON: ${p.problem.message}` : "settings.json must be an object.";
      return;
    }
    const next = p.value as Record<string, unknown>;
    const change: Record<string, unknown> = { ...next };
    for (const k of Object.keys(settings.data.value ?? {})) if (!(k in next)) change[k] = null;
    void put(change);
  }

  const list = providers.value ?? [];
  const models = list.find((p) => p.provider === provider.value)?.models ?? [];
  return (
    <div class="settings-section">
      <NextSessionNote />
      <ErrorLine error={settings.error.value ?? error.value} />
      <div class="section-tools">
        <button type="button" class="btn btn-small" onClick={() => (asJson.value = !asJson.value)}>
          {asJson.value ? "Back to the form" : "Edit as JSON"}
        </button>
      </div>
      {asJson.value ? (
        <>
          <label class="sr-only" for="settings-json">
            settings.json
          </label>
          <textarea id="settings-json" class="code-editor" rows={16} spellcheck={false} value={json.value} onInput={(e) => (json.value = e.currentTarget.value)} />
          <div class="dialog-actions">
            {saved.value && <span class="muted">Saved.</span>}
            <button type="button" class="btn btn-primary" disabled={busy.value} onClick={saveJson}>
              Save settings.json
            </button>
          </div>
        </>
      ) : (
        <form class="settings-form" onSubmit={saveForm}>
          <label>
            Default provider
            <select
              value={provider.value}
              onChange={(e) => {
                provider.value = e.currentTarget.value;
                model.value = "";
              }}
            >
              <option value="">(not set)</option>
              {provider.value && !list.some((p) => p.provider === provider.value) && <option value={provider.value}>{provider.value} (unknown)</option>}
              {list.map((p) => (
                <option key={p.provider} value={p.provider}>
                  {p.provider}
                  {p.models.some((m) => m.hasAuth) ? "" : " (no key)"}
                </option>
              ))}
            </select>
          </label>
          <label>
            Default model
            <select value={model.value} onChange={(e) => (model.value = e.currentTarget.value)} disabled={!provider.value}>
              <option value="">(not set)</option>
              {model.value && !models.some((m) => m.id === model.value) && <option value={model.value}>{model.value} (unknown)</option>}
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name || m.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Default thinking level
            <select value={thinking.value} onChange={(e) => (thinking.value = e.currentTarget.value)}>
              <option value="">(not set)</option>
              {THINKING_LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <div class="dialog-actions">
            {saved.value && <span class="muted">Saved.</span>}
            <button type="submit" class="btn btn-primary" disabled={busy.value}>
              Save defaults
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
