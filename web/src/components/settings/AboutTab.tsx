import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import { ErrorLine } from "./common";

/** AboutTab: the version, where the API is documented, keyboard shortcuts, and the password. */
export function AboutTab() {
  const { auth, api } = useApp();
  const cfg = auth.uiConfig.value;
  const token = api.token.get();
  return (
    <div class="settings-section about">
      <dl class="facts">
        <dt>Version</dt>
        <dd>
          <code>{cfg?.version ?? "unknown"}</code>
        </dd>
        <dt>Workspace</dt>
        <dd>
          <code>{cfg?.workspaceRoot ?? ""}</code>
        </dd>
        <dt>API</dt>
        <dd>
          <a href={token ? `/api/docs?token=${encodeURIComponent(token)}` : "/api/docs"} target="_blank" rel="noopener noreferrer">
            /api/docs
          </a>{" "}
          (OpenAPI: <a href="/api/docs/json">/api/docs/json</a>)
        </dd>
      </dl>
      <h3>Keyboard</h3>
      <table class="keys">
        <tbody>
          {[
            ["Enter / Shift+Enter", "send / new line (Ctrl+Enter always sends)"],
            ["Esc Esc", "stop the agent"],
            ["↑ / ↓ in the composer", "prompt history"],
            ["/ · @ · !", "commands · files · shell"],
            ["Ctrl+B · Ctrl+J · Ctrl+`", "projects · side panel · terminal"],
          ].map(([k, v]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cfg?.passwordAuthEnabled && auth.authEnabled.value && !auth.ldapEnabled.value && <ChangePassword />}
    </div>
  );
}

function ChangePassword() {
  const { auth } = useApp();
  const current = useSignal("");
  const next = useSignal("");
  const again = useSignal("");
  const error = useSignal<string | null>(null);
  const done = useSignal(false);

  async function submit(e: Event) {
    e.preventDefault();
    error.value = null;
    done.value = false;
    if (next.value.length < 8) return void (error.value = "The new password needs at least 8 characters.");
    if (next.value !== again.value) return void (error.value = "The two new passwords differ.");
    if (await auth.changePassword(current.value, next.value)) {
      done.value = true;
      current.value = next.value = again.value = "";
    } else error.value = auth.error.value;
  }

  return (
    <form class="settings-form" onSubmit={submit}>
      <h3>Change password</h3>
      <label>
        Current password
        <input type="password" autocomplete="current-password" value={current.value} onInput={(e) => (current.value = e.currentTarget.value)} />
      </label>
      <label>
        New password
        <input type="password" autocomplete="new-password" value={next.value} onInput={(e) => (next.value = e.currentTarget.value)} />
      </label>
      <label>
        New password again
        <input type="password" autocomplete="new-password" value={again.value} onInput={(e) => (again.value = e.currentTarget.value)} />
      </label>
      <ErrorLine error={error.value} />
      {done.value && <p class="muted">Password changed.</p>}
      <div class="dialog-actions">
        <button type="submit" class="btn btn-primary" disabled={!current.value || !next.value || auth.busy.value}>
          Change password
        </button>
      </div>
    </form>
  );
}
