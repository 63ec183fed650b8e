// The MCP settings tab and header badge: their pure logic, and both
// components over a fake API.
import { signal } from "@preact/signals";
import { render } from "preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppContext } from "../src/app/context";
import type { AppState } from "../src/app/state";
import { MCP_CHANGED, REDACTED, type McpOverview, type McpServerList, type McpStatus } from "../src/mcp/api";
import { McpBadge } from "../src/mcp/McpBadge";
import { McpTab } from "../src/mcp/McpTab";
import { badgeTone, badgeVisible, commandLine, configFromForm, emptyForm, formFromConfig, waitingForTrust } from "../src/mcp/store";
import { createUiStore } from "../src/stores/ui";

const overview = (o: Partial<McpOverview> = {}): McpOverview => ({ enabled: true, connected: 1, total: 2, truncation: { enabled: true, maxChars: 30000 }, ...o });

describe("mcp store", () => {
  it("colours the badge by connections, neutral when MCP is off", () => {
    expect(badgeTone(overview({ connected: 2, total: 2 }))).toBe("all");
    expect(badgeTone(overview({ connected: 1, total: 2 }))).toBe("some");
    expect(badgeTone(overview({ connected: 0, total: 2 }))).toBe("none");
    expect(badgeTone(overview({ enabled: false, connected: 2, total: 2 }))).toBe("off");
    expect(badgeVisible(overview({ total: 0, connected: 0 }), false)).toBe(false);
    expect(badgeVisible(overview(), true)).toBe(false);
    expect(badgeVisible(overview(), false)).toBe(true);
    expect(badgeVisible(null, false)).toBe(false);
  });

  it("keeps stored secrets as the sentinel and sends typed ones", () => {
    const f = formFromConfig("gh", { url: "https://x/mcp", headers: { Authorization: REDACTED, "X-Team": REDACTED }, enabled: false });
    expect(f.kind).toBe("remote");
    expect(f.enabled).toBe(false);
    expect(f.headers).toEqual([
      { key: "Authorization", value: "", kept: true },
      { key: "X-Team", value: "", kept: true },
    ]);
    f.headers[1] = { ...f.headers[1], value: "new-team" };
    const r = configFromForm(f);
    expect(r).toEqual({ ok: true, name: "gh", config: { enabled: false, url: "https://x/mcp", transport: "auto", headers: { Authorization: REDACTED, "X-Team": "new-team" } } });
  });

  it("builds stdio configs with one argument per line and drops blank rows", () => {
    const f = { ...emptyForm(), name: " mem ", kind: "stdio" as const, command: " npx ", args: "-y\n\n @x/server \n", env: [{ key: "TOKEN", value: "t", kept: false }, { key: " ", value: "z", kept: false }], cwd: "" };
    expect(configFromForm(f)).toEqual({ ok: true, name: "mem", config: { enabled: true, command: "npx", args: ["-y", "@x/server"], env: { TOKEN: "t" } } });
    expect(formFromConfig("mem", { command: "npx", args: ["-y", "@x/server"], env: { TOKEN: REDACTED } }).args).toBe("-y\n@x/server");
  });

  it("refuses what the server would refuse", () => {
    const bad = (f: Partial<ReturnType<typeof emptyForm>>) => configFromForm({ ...emptyForm(), name: "x", ...f });
    expect(bad({ name: "" }).ok).toBe(false);
    expect(bad({ name: "n".repeat(65) }).ok).toBe(false);
    expect(bad({ name: "a/b", url: "https://x" }).ok).toBe(false);
    expect(bad({ url: "ftp://x" }).ok).toBe(false);
    expect(bad({ kind: "stdio", command: " " }).ok).toBe(false);
    expect(bad({ url: "https://x", headers: [{ key: "A", value: "1", kept: false }, { key: "A", value: "2", kept: false }] }).ok).toBe(false);
    expect(bad({ url: "https://x" }).ok).toBe(true);
  });

  it("lists the stdio servers waiting for trust and quotes their arguments", () => {
    const s = (o: Partial<McpStatus>): McpStatus => ({ scope: "project", name: "n", kind: "stdio", enabled: true, state: "idle", toolCount: 0, ...o });
    const list = [s({ name: "a", state: "trust_required" }), s({ name: "b", kind: "remote" }), s({ name: "c", scope: "global", state: "trust_required" })];
    expect(waitingForTrust(list).map((x) => x.name)).toEqual(["a"]);
    expect(commandLine({ command: "node", args: ["server.js", "--dir", "my dir"] })).toBe('node server.js --dir "my dir"');
  });
});

const settle = () => new Promise((r) => setTimeout(r, 30));
const click = (el: Element | null | undefined) => (el as HTMLElement).click();
const byText = (root: Element, sel: string, text: string) => [...root.querySelectorAll(sel)].find((e) => e.textContent?.trim() === text) as HTMLElement | undefined;

type Call = { method: string; path: string; body?: unknown; query?: Record<string, unknown> };

function mount(node: preact.ComponentChild, routes: (c: Call) => unknown, minimal = false) {
  const calls: Call[] = [];
  const request = vi.fn(async (method: string, path: string, ro: { body?: unknown; query?: Record<string, unknown> } = {}) => {
    const c = { method, path, body: ro.body, query: ro.query };
    calls.push(c);
    return routes(c);
  });
  const ui = createUiStore(localStorage);
  ui.openSession("p1", "s1");
  const app = {
    api: { token: { get: () => "t" }, request, tools: vi.fn(async () => ({ builtin: [], mcp: [] })), setTool: vi.fn(async () => ({})), clearTool: vi.fn(async () => ({})) },
    auth: { uiConfig: signal({ minimal }) },
    ui,
    projects: { projects: signal([{ id: "p1", name: "demo", path: "/w/demo", createdAt: "" }]) },
    configVersion: signal(0),
  } as unknown as AppState;
  const root = document.createElement("div");
  document.body.appendChild(root);
  render(<AppContext.Provider value={app}>{node}</AppContext.Provider>, root);
  return { root, app, calls };
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("mcp badge", () => {
  it("shows X/Y with its tone, refreshes on a change and opens Settings → MCP", async () => {
    let o = overview({ connected: 1, total: 2 });
    const { root, app } = mount(<McpBadge />, () => o);
    await settle();
    const badge = root.querySelector(".mcp-badge")!;
    expect(badge.textContent).toBe("MCP 1/2");
    expect(badge.classList.contains("tone-some")).toBe(true);
    o = overview({ connected: 2, total: 2 });
    window.dispatchEvent(new Event(MCP_CHANGED));
    await settle();
    expect(root.querySelector(".mcp-badge")!.classList.contains("tone-all")).toBe(true);
    click(root.querySelector(".mcp-badge"));
    expect(app.ui.overlay.value).toEqual({ kind: "settings", tab: "mcp" });
  });

  it("is hidden with no servers and under MINIMAL_UI", async () => {
    expect(mount(<McpBadge />, () => overview({ total: 0, connected: 0 })).root.querySelector(".mcp-badge")).toBeNull();
    const minimal = mount(<McpBadge />, () => overview(), true);
    await settle();
    expect(minimal.root.querySelector(".mcp-badge")).toBeNull();
    expect(minimal.calls).toHaveLength(0);
  });
});

describe("mcp tab", () => {
  const list = (trusted: boolean): McpServerList => ({
    servers: { web: { url: "https://mcp.example.com/mcp", headers: { Authorization: REDACTED }, enabled: true } },
    status: [
      { scope: "global", name: "web", kind: "remote", url: "https://mcp.example.com/mcp", enabled: true, state: "error", toolCount: 0, lastError: "connection refused", transport: "auto" },
      { scope: "project", projectId: "p1", name: "local", kind: "stdio", command: "node", args: ["srv.js"], enabled: true, state: trusted ? "connected" : "trust_required", toolCount: 2 },
    ],
    stdioTrust: { trusted },
  });

  it("shows servers, asks for trust, and edits a server keeping its stored header", async () => {
    let trusted = false;
    const { root, calls } = mount(<McpTab />, (c) => {
      if (c.path === "/mcp/settings") return overview();
      if (c.path === "/mcp/servers" && c.method === "GET") return list(trusted);
      if (c.path === "/mcp/trust/p1") {
        trusted = true;
        return { trusted: true, status: [] };
      }
      return { ok: true };
    });
    await settle();
    expect(root.textContent).toContain("connection refused");
    const banner = root.querySelector(".mcp-trust")!;
    expect(banner.textContent).toContain("node srv.js");
    click(byText(root, "button", "Trust this project"));
    await settle();
    expect(calls.some((c) => c.method === "POST" && c.path === "/mcp/trust/p1")).toBe(true);
    expect(root.querySelector(".mcp-trust")).toBeNull();
    expect(byText(root, "button", "Revoke trust")).toBeTruthy();

    click(byText(root, "button", "Edit"));
    await settle();
    const value = root.querySelector<HTMLInputElement>(".mcp-kv-row input[type=password]")!;
    expect(value.value).toBe("");
    expect(value.placeholder).toBe("stored (unchanged)");
    click(root.querySelector(".mcp-form button[type=submit]"));
    await settle();
    const put = calls.find((c) => c.method === "PUT" && c.path === "/mcp/servers/web")!;
    expect(put.body).toEqual({ enabled: true, url: "https://mcp.example.com/mcp", transport: "auto", headers: { Authorization: REDACTED } });
    expect(root.querySelector(".mcp-form")).toBeNull();
  });

  it("switches MCP off for new sessions", async () => {
    const { root, calls } = mount(<McpTab />, (c) => (c.path === "/mcp/settings" ? overview() : c.path === "/mcp/servers" ? list(true) : {}));
    await settle();
    const sw = [...root.querySelectorAll<HTMLInputElement>("input[role=switch]")][0];
    sw.checked = false;
    sw.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(calls.find((c) => c.method === "PUT" && c.path === "/mcp/settings")?.body).toEqual({ enabled: false });
  });
});
