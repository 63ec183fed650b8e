import { describe, expect, it, vi } from "vitest";
import { ApiError, createApiClient, type TokenStore } from "../src/api/client";
import { createAuthStore, lockoutSeconds } from "../src/stores/auth";

function memToken(initial: string | null = null): TokenStore {
  let t = initial;
  return { get: () => t, set: (v) => void (t = v) };
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

type Route = (path: string, init: RequestInit) => Response | undefined;

function client(route: Route, token = memToken("tok"), hooks: { onUnauthorized?: () => void; onMustChangePassword?: () => void } = {}) {
  const seen: Array<{ path: string; init: RequestInit }> = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace("/api/v1", "");
    seen.push({ path, init: init ?? {} });
    return route(path, init ?? {}) ?? json(404, { error: "not_found" });
  });
  return { api: createApiClient({ token, fetch: fetch as unknown as typeof globalThis.fetch, ...hooks }), seen, token };
}

describe("api client", () => {
  it("sends the bearer token and JSON body", async () => {
    const { api, seen } = client(() => json(201, { id: "p1", name: "x", path: "/w/x", createdAt: "" }));
    await api.createProject("x", "/w/x");
    expect(seen[0].path).toBe("/projects");
    expect((seen[0].init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(seen[0].init.body).toBe(JSON.stringify({ name: "x", path: "/w/x" }));
  });

  it("turns the error envelope into an ApiError with a friendly message", async () => {
    const { api } = client(() => json(409, { error: "duplicate_path", message: "dup" }));
    const err = (await api.createProject("x", "/w/x").catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message]).toEqual([409, "duplicate_path", "A project already uses that folder."]);
  });

  it("drops the token and reports 401 on authenticated routes only", async () => {
    const onUnauthorized = vi.fn();
    const { api, token } = client(() => json(401, { error: "invalid_token" }), memToken("old"), { onUnauthorized });
    await expect(api.login("bad")).rejects.toMatchObject({ code: "invalid_token" });
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(token.get()).toBe("old");
    await expect(api.listProjects()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
    expect(token.get()).toBeNull();
  });

  it("reports a forced password change", async () => {
    const onMustChangePassword = vi.fn();
    const { api } = client(() => json(403, { error: "must_change_password" }), memToken("t"), { onMustChangePassword });
    await expect(api.listProjects()).rejects.toMatchObject({ code: "must_change_password" });
    expect(onMustChangePassword).toHaveBeenCalledOnce();
  });

  it("maps a network failure to network_error", async () => {
    const api = createApiClient({ token: memToken(), fetch: (() => Promise.reject(new TypeError("down"))) as typeof fetch });
    await expect(api.listProjects()).rejects.toMatchObject({ status: 0, code: "network_error" });
  });
});

const uiConfig = { minimal: false, workspaceRoot: "/w", version: "1", passwordAuthEnabled: true, ldapEnabled: false, orchestrationEnabled: false };

describe("auth store", () => {
  it("asks for a password when auth is on and no token is kept", async () => {
    const { api } = client((p) => (p === "/ui-config" ? json(200, uiConfig) : json(200, { authEnabled: true, ldapEnabled: false })), memToken(null));
    const auth = createAuthStore(api);
    await auth.boot();
    expect(auth.phase.value).toBe("login");
  });

  it("goes straight in when auth is off", async () => {
    const { api } = client((p) => (p === "/ui-config" ? json(200, uiConfig) : json(200, { authEnabled: false, ldapEnabled: false })), memToken(null));
    const auth = createAuthStore(api);
    await auth.boot();
    expect(auth.phase.value).toBe("ready");
  });

  it("keeps the token on login and moves to the forced password change", async () => {
    const { api, token } = client(() => json(200, { token: "jwt1", expiresAt: "", mustChangePassword: true }), memToken(null));
    const auth = createAuthStore(api);
    expect(await auth.login("pw")).toBe(true);
    expect(token.get()).toBe("jwt1");
    expect(auth.phase.value).toBe("change-password");
  });

  it("shows the lockout with its remaining time", async () => {
    const { api } = client(() => json(423, { error: "login_locked", message: "Too many failed attempts. Try again in 120 seconds." }), memToken(null));
    const auth = createAuthStore(api, () => 1_000_000);
    expect(await auth.login("pw")).toBe(false);
    expect(auth.lockedUntil.value).toBe(1_000_000 + 120_000);
    expect(auth.error.value).toContain("120 seconds");
  });

  it("signs out back to the login page when a token stops working", () => {
    const { api, token } = client(() => undefined, memToken("t"));
    const auth = createAuthStore(api);
    auth.authEnabled.value = true;
    auth.phase.value = "ready";
    auth.unauthorized();
    expect(auth.phase.value).toBe("login");
    expect(auth.reason.value).toMatch(/sign in again/);
    expect(token.get()).toBeNull();
  });

  it("reads seconds from lockout messages", () => {
    expect(lockoutSeconds("locked; retry in 42s")).toBe(42);
    expect(lockoutSeconds("try again in 5 seconds")).toBe(5);
    expect(lockoutSeconds("locked")).toBe(60);
  });
});
