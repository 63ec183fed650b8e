import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { AuthShell } from "./AuthShell";

/** LoginPage asks for the password (and a username when LDAP is on) and shows lockouts with a countdown. */
export function LoginPage() {
  const { auth } = useApp();
  const username = useSignal("");
  const password = useSignal("");
  const now = useSignal(Date.now());
  const lockedUntil = auth.lockedUntil.value;
  const remaining = lockedUntil ? Math.max(0, Math.ceil((lockedUntil - now.value) / 1000)) : 0;

  useEffect(() => {
    if (!lockedUntil) return;
    const t = setInterval(() => (now.value = Date.now()), 1000);
    return () => clearInterval(t);
  }, [lockedUntil]);

  async function submit(e: Event) {
    e.preventDefault();
    if (remaining > 0 || !password.value) return;
    if (await auth.login(password.value, auth.ldapEnabled.value ? username.value.trim() : undefined)) password.value = "";
  }

  return (
    <AuthShell config={auth.uiConfig.value}>
      <form class="auth-form" onSubmit={submit}>
        {auth.reason.value && <p class="auth-note">{auth.reason.value}</p>}
        {auth.ldapEnabled.value && (
          <label>
            Username
            <input
              name="username"
              autocomplete="username"
              value={username.value}
              onInput={(e) => (username.value = e.currentTarget.value)}
              autofocus
            />
          </label>
        )}
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password.value}
            onInput={(e) => (password.value = e.currentTarget.value)}
            autofocus={!auth.ldapEnabled.value}
          />
        </label>
        {remaining > 0 ? (
          <p class="form-error" role="alert">
            Too many failed attempts. Try again in {formatWait(remaining)}.
          </p>
        ) : (
          auth.error.value && (
            <p class="form-error" role="alert">
              {auth.error.value}
            </p>
          )
        )}
        <button type="submit" class="btn btn-primary auth-submit" disabled={auth.busy.value || remaining > 0 || !password.value}>
          {auth.busy.value ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </AuthShell>
  );
}

function formatWait(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}:${String(s % 60).padStart(2, "0")} min` : `${s} s`;
}
