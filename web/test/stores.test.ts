import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../src/api/client";
import type { Project } from "../src/api/types";
import { createProjectsStore } from "../src/stores/projects";
import { createSessionsStore, sessionLabel } from "../src/stores/sessions";
import { createUiStore, DEFAULT_LAYOUT, LAYOUT_KEY } from "../src/stores/ui";

const p = (id: string): Project => ({ id, name: id, path: `/w/${id}`, createdAt: "" });

function api(handler: (method: string, path: string, body: unknown) => Response) {
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) =>
    handler(init?.method ?? "GET", String(url).replace("/api/v1", ""), init?.body ? JSON.parse(String(init.body)) : undefined),
  );
  return createApiClient({ token: { get: () => null, set: () => undefined }, fetch: fetch as unknown as typeof globalThis.fetch });
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe("projects store", () => {
  it("reorders optimistically and saves the new order", async () => {
    const sent: unknown[] = [];
    const store = createProjectsStore(
      api((m, path, body) => {
        if (path === "/projects" && m === "GET") return json(200, { projects: [p("a"), p("b"), p("c")] });
        sent.push(body);
        return json(200, { projects: (body as { ids: string[] }).ids.map(p) });
      }),
    );
    await store.load();
    await store.moveTo("c", 0);
    expect(sent).toEqual([{ ids: ["c", "a", "b"] }]);
    expect(store.projects.value.map((x) => x.id)).toEqual(["c", "a", "b"]);
  });

  it("rolls the order back when the server refuses it", async () => {
    const store = createProjectsStore(
      api((m) => (m === "GET" ? json(200, { projects: [p("a"), p("b")] }) : json(400, { error: "invalid_project_order" }))),
    );
    await store.load();
    await expect(store.moveTo("a", 1)).rejects.toMatchObject({ code: "invalid_project_order" });
    expect(store.projects.value.map((x) => x.id)).toEqual(["a", "b"]);
    expect(store.error.value).toBeTruthy();
  });
});

describe("sessions store", () => {
  const row = (id: string, at: string) => ({
    sessionId: id,
    projectId: "p",
    isLive: false,
    workspacePath: "/w",
    lastActivityAt: at,
    createdAt: at,
    messageCount: 1,
    firstMessage: "",
  });

  it("lists a project's sessions newest first, renames and forgets deleted ones", async () => {
    const store = createSessionsStore(
      api((m, path, body) => {
        if (m === "GET") return json(200, { sessions: [row("old", "2024-01-01T00:00:00Z"), row("new", "2025-01-01T00:00:00Z")] });
        if (path.endsWith("/name")) return json(200, { ...row("old", ""), name: (body as { name: string }).name });
        return new Response(null, { status: 204 });
      }),
    );
    await store.load("p");
    expect(store.byProject.value.p.map((s) => s.sessionId)).toEqual(["new", "old"]);
    await store.rename("old", "Renamed");
    expect(store.find("old")?.name).toBe("Renamed");
    await store.remove("new");
    expect(store.byProject.value.p.map((s) => s.sessionId)).toEqual(["old"]);
  });

  it("labels a session by name, else first message, else id", () => {
    expect(sessionLabel({ sessionId: "abcdef123", name: " N ", firstMessage: "x" })).toBe("N");
    expect(sessionLabel({ sessionId: "abcdef123", firstMessage: "a".repeat(50) })).toBe("a".repeat(40) + "…");
    expect(sessionLabel({ sessionId: "abcdef123", firstMessage: "" })).toBe("session abcdef");
  });
});

describe("ui store", () => {
  it("remembers the layout, clamped to sane sizes", () => {
    localStorage.clear();
    const ui = createUiStore(localStorage);
    ui.setLayout({ sidebarWidth: 5000, rightOpen: true });
    expect(ui.layout.value.sidebarWidth).toBe(480);
    expect(JSON.parse(localStorage.getItem(LAYOUT_KEY)!)).toMatchObject({ sidebarWidth: 480, rightOpen: true });
    ui.dispose();
    const again = createUiStore(localStorage);
    expect(again.layout.value).toEqual({ ...DEFAULT_LAYOUT, sidebarWidth: 480, rightOpen: true });
    again.dispose();
  });

  it("remembers the open project and session", () => {
    localStorage.clear();
    const ui = createUiStore(localStorage);
    ui.openSession("p1", "s1");
    ui.dispose();
    const again = createUiStore(localStorage);
    expect([again.projectId.value, again.sessionId.value]).toEqual(["p1", "s1"]);
    again.dispose();
  });
});
