import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { ErrorLine, NextSessionNote, ProjectSelect, useLoad, useProjectChoice } from "./common";

const encoder = new TextEncoder();

/**
 * SystemPromptTab edits a project's addendum to the system prompt. It is
 * appended to pi's own prompt, which stays as it is; empty removes it.
 */
export function SystemPromptTab() {
  const { api } = useApp();
  const pid = useProjectChoice();
  const doc = useLoad(() => (pid.value ? api.systemPrompt(pid.value) : Promise.resolve(null)), [pid.value]);
  const text = useSignal("");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const saved = useSignal(false);

  useEffect(() => {
    text.value = doc.data.value?.addendum ?? "";
    saved.value = false;
  }, [doc.data.value]);

  const max = doc.data.value?.maxBytes ?? 20000;
  const bytes = encoder.encode(text.value).length;

  async function save() {
    if (!pid.value) return;
    busy.value = true;
    error.value = null;
    try {
      doc.data.value = await api.saveSystemPrompt(pid.value, text.value);
      saved.value = true;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }

  return (
    <div class="settings-section">
      <p class="muted">Text added to the end of the agent's system prompt in one project: conventions, commands, things to avoid.</p>
      <NextSessionNote />
      <ProjectSelect value={pid} />
      <ErrorLine error={doc.error.value ?? error.value} />
      <label class="sr-only" for="addendum">
        System prompt addendum
      </label>
      <textarea
        id="addendum"
        class="code-editor"
        rows={14}
        value={text.value}
        placeholder="e.g. Run `make test` before saying a change is done."
        onInput={(e) => {
          text.value = e.currentTarget.value;
          saved.value = false;
        }}
        disabled={!pid.value}
      />
      <div class="dialog-actions">
        <span class={bytes > max ? "form-error" : "muted"}>
          {bytes.toLocaleString()} / {max.toLocaleString()} bytes
        </span>
        {saved.value && <span class="muted">Saved.</span>}
        <button type="button" class="btn btn-primary" disabled={busy.value || bytes > max || !pid.value} onClick={save}>
          Save
        </button>
      </div>
    </div>
  );
}
