import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { ErrorLine, useLoad } from "./common";
import { checkModels, parseJson, REDACTED, redactedKeys } from "./modelsJson";

const EXAMPLE = `{
  "providers": {
    "local": {
      "baseUrl": "http://127.0.0.1:8080/v1",
      "api": "openai-completions",
      "apiKey": "none",
      "models": [{ "id": "qwen3-coder", "contextWindow": 128000 }]
    }
  }
}`;

/**
 * ModelsTab edits models.json, the custom providers and models. It checks the
 * JSON as it is typed and shows the server's own message when it refuses a
 * save. Stored keys come back as a placeholder; leaving the placeholder keeps
 * the stored key.
 */
export function ModelsTab() {
  const { api, loadProviders } = useApp();
  const doc = useLoad(() => api.models());
  const text = useSignal("");
  const dirty = useSignal(false);
  const saving = useSignal(false);
  const serverError = useSignal<string | null>(null);
  const saved = useSignal(false);

  useEffect(() => {
    if (doc.data.value && !dirty.value) text.value = JSON.stringify(doc.data.value, null, 2);
  }, [doc.data.value]);

  const parsed = parseJson(text.value);
  const problems = "value" in parsed ? checkModels(parsed.value) : [];
  const redacted = "value" in parsed ? redactedKeys(parsed.value) : [];
  const valid = "value" in parsed && problems.length === 0;

  async function save() {
    if (!("value" in parsed) || !valid) return;
    saving.value = true;
    serverError.value = null;
    saved.value = false;
    try {
      const r = await api.saveModels(parsed.value);
      text.value = JSON.stringify(r, null, 2);
      dirty.value = false;
      saved.value = true;
      await doc.reload();
      void loadProviders(true);
    } catch (e) {
      serverError.value = (e as Error).message;
    } finally {
      saving.value = false;
    }
  }

  return (
    <div class="settings-section">
      <p class="muted">
        Custom providers and models (<code>models.json</code>): OpenAI-compatible servers, local models, gateways. Keys can be literal, an environment
        variable name, or <code>!command</code>.
      </p>
      <ErrorLine error={doc.error.value} />
      <label class="sr-only" for="models-json">
        models.json
      </label>
      <textarea
        id="models-json"
        class={`code-editor${"problem" in parsed ? " invalid" : ""}`}
        rows={18}
        spellcheck={false}
        value={text.value}
        placeholder={EXAMPLE}
        onInput={(e) => {
          text.value = e.currentTarget.value;
          dirty.value = true;
          saved.value = false;
        }}
        aria-invalid={!valid}
        aria-describedby="models-check"
      />
      <div id="models-check" class="json-check" aria-live="polite">
        {"problem" in parsed ? (
          <p class="form-error">
            Not valid JSON{parsed.problem.line ? ` (line ${parsed.problem.line}, column ${parsed.problem.column})` : ""}: {parsed.problem.message}
          </p>
        ) : problems.length > 0 ? (
          <ul class="form-error">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : (
          <p class="muted">Looks right.</p>
        )}
        {redacted.length > 0 && (
          <p class="muted">
            <code>{REDACTED}</code> stands for the key already stored for {redacted.join(", ")}; leave it to keep that key, or type a new one.
          </p>
        )}
      </div>
      <ErrorLine error={serverError.value} />
      <div class="dialog-actions">
        {saved.value && <span class="muted">Saved.</span>}
        <button
          type="button"
          class="btn"
          disabled={!dirty.value}
          onClick={() => {
            dirty.value = false;
            serverError.value = null;
            text.value = doc.data.value ? JSON.stringify(doc.data.value, null, 2) : "";
          }}
        >
          Revert
        </button>
        <button type="button" class="btn btn-primary" disabled={!valid || !dirty.value || saving.value} onClick={save}>
          {saving.value ? "Saving…" : "Save"}
        </button>
      </div>
    </div>
  );
}
