// Sign-in state: the public ui-config, whether auth is on, the token (kept by
// the API client in localStorage "pi-forge/auth-token"), a forced password
// change, and the lockout countdown.

import { signal } from "@preact/signals";
import { ApiError, type Api } from "../api/client";
import type { UiConfig } from "../api/types";

export type AuthPhase = "loading" | "login" | "change-password" | "ready" | "unreachable";

export type AuthStore = ReturnType<typeof createAuthStore>;

export function createAuthStore(api: Api, now: () => number = Date.now) {
  const phase = signal<AuthPhase>("loading");
  const uiConfig = signal<UiConfig | null>(null);
  const authEnabled = signal(false);
  const ldapEnabled = signal(false);
  const error = signal<string | null>(null);
  const lockedUntil = signal<number | null>(null);
  const busy = signal(false);
  /** Why the user is on the login page again (an expired session), if not by choice. */
  const reason = signal<string | null>(null);

  async function boot(): Promise<void> {
    phase.value = "loading";
    try {
      const [cfg, status] = await Promise.all([api.uiConfig(), api.authStatus()]);
      uiConfig.value = cfg;
      authEnabled.value = status.authEnabled;
      ldapEnabled.value = status.ldapEnabled || cfg.ldapEnabled;
      phase.value = !status.authEnabled || api.token.get() ? "ready" : "login";
    } catch (e) {
      error.value = (e as Error).message;
      phase.value = "unreachable";
    }
  }

  async function login(password: string, username?: string): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      const res = await api.login(password, username || undefined);
      api.token.set(res.token);
      lockedUntil.value = null;
      reason.value = null;
      phase.value = res.mustChangePassword ? "change-password" : "ready";
      return true;
    } catch (e) {
      const err = e as ApiError;
      if (err instanceof ApiError && err.code === "login_locked") {
        lockedUntil.value = now() + lockoutSeconds(err.message) * 1000;
      }
      error.value = err.message;
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function changePassword(current: string, next: string): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      const res = await api.changePassword(current, next);
      api.token.set(res.token);
      phase.value = "ready";
      return true;
    } catch (e) {
      error.value = (e as Error).message;
      return false;
    } finally {
      busy.value = false;
    }
  }

  function signOut(why: string | null = null): void {
    api.token.set(null);
    reason.value = why;
    error.value = null;
    phase.value = authEnabled.value ? "login" : "ready";
  }

  return {
    phase,
    uiConfig,
    authEnabled,
    ldapEnabled,
    error,
    lockedUntil,
    busy,
    reason,
    boot,
    login,
    changePassword,
    signOut,
    /** The API client calls this when a token stops working. */
    unauthorized(): void {
      if (phase.value === "ready" || phase.value === "change-password") signOut("Your session ended; sign in again.");
    },
    mustChangePassword(): void {
      phase.value = "change-password";
    },
  };
}

/** lockoutSeconds reads the remaining seconds from the server's 423 message ("… try again in 287 seconds"). */
export function lockoutSeconds(message: string): number {
  const m = /(\d+)\s*(s\b|sec|second)/i.exec(message) ?? /(\d+)/.exec(message);
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : 60;
}
