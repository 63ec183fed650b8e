import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import { AuthShell } from "./AuthShell";

/** ChangePasswordPage is forced after the first sign-in when the server requires a new password. */
export function ChangePasswordPage() {
  const { auth } = useApp();
  const current = useSignal("");
  const next = useSignal("");
  const confirm = useSignal("");
  const local = useSignal<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    local.value = null;
    if (next.value.length < 8) {
      local.value = "The new password needs at least 8 characters.";
      return;
    }
    if (next.value !== confirm.value) {
      local.value = "The two new passwords differ.";
      return;
    }
    await auth.changePassword(current.value, next.value);
  }

  const field = (label: string, value: typeof current, autocomplete: string, autofocus = false) => (
    <label>
      {label}
      <input
        type="password"
        required
        autocomplete={autocomplete}
        autofocus={autofocus}
        value={value.value}
        onInput={(e) => (value.value = e.currentTarget.value)}
      />
    </label>
  );

  return (
    <AuthShell config={auth.uiConfig.value}>
      <form class="auth-form" onSubmit={submit}>
        <p class="auth-note">Choose a new password before you continue.</p>
        {field("Current password", current, "current-password", true)}
        {field("New password", next, "new-password")}
        {field("Confirm new password", confirm, "new-password")}
        {(local.value || auth.error.value) && (
          <p class="form-error" role="alert">
            {local.value ?? auth.error.value}
          </p>
        )}
        <button type="submit" class="btn btn-primary auth-submit" disabled={auth.busy.value}>
          Change password
        </button>
        <button type="button" class="btn btn-link" onClick={() => auth.signOut()}>
          Sign out
        </button>
      </form>
    </AuthShell>
  );
}
