// Component tests for the settings tabs and the session tree, over a fake API.
import { signal } from "@preact/signals";
import { render } from "preact";
import { describe, expect, it, vi } from "vitest";
import type { Api } from "../src/api/client";
import type { SessionTree as Tree } from "../src/api/types";
import { AppContext } from "../src/app/context";
import type { AppState } from "../src/app/state";
import { ProvidersTab } from "../src/components/settings/ProvidersTab";
import { ToolsTab } from "../src/components/settings/TogglesTab";
import { SessionTree } from "../src/components/tree/SessionTree";
import { createChatStore } from "../src/stores/chat";
import { createUiStore } from "../src/stores/ui";

const settle = () => new Promise((r) => setTimeout(r, 30));
// jsdom has no layout.
Element.prototype.scrollIntoView ??= function () {};

function mount(node: preact.ComponentChild, api: Partial<Record<keyof Api, unknown>>, extra: Partial<AppState> = {}) {
  const ui = createUiStore(localStorage);
  ui.openSession("p1", "s1");
  const app = {
    api: { token: { get: () => "t" }, ...api },
    ui,
    chat: createChatStore(),
    projects: { projects: signal([{ id: "p1", name: "demo", path: "/w/demo", createdAt: "" }, { id: "p2", name: "other", path: "/w/other", createdAt: "" }]) },
    configVersion: signal(0),
    loadProviders: vi.fn(async () => undefined),
    branching: { navigate: vi.fn(async () => true), forkAt: vi.fn(), editAndResubmit: vi.fn() },
    ...extra,
  } as unknown as AppState;
  const root = document.createElement("div");
  document.body.appendChild(root);
  render(<AppContext.Provider value={app}>{node}</AppContext.Provider>, root);
  return { root, app };
}

const click = (el: Element | null | undefined) => (el as HTMLElement).click();
const byText = (root: Element, sel: string, text: string) => [...root.querySelectorAll(sel)].find((e) => e.textContent?.trim() === text) as HTMLElement | undefined;

describe("providers tab", () => {
  it("stores a key without ever showing one, and removes it after a confirmation", async () => {
    let stored = false;
    const api = {
      providers: vi.fn(async () => ({ providers: [{ provider: "anthropic", models: [{ id: "m", name: "M", contextWindow: 200000, maxTokens: 1, reasoning: true, input: ["text"], hasAuth: stored, supportedThinkingLevels: [] }] }] })),
      authPresence: vi.fn(async () => ({ providers: stored ? { anthropic: { configured: true, label: "Stored API key" } } : {} })),
      setApiKey: vi.fn(async () => void (stored = true)),
      removeApiKey: vi.fn(async () => void (stored = false)),
    };
    const { root, app } = mount(<ProvidersTab />, api);
    await settle();
    expect(root.querySelector(".provider-card .pill")?.textContent).toBe("no key");
    click(byText(root, "button", "Add key"));
    await settle();
    const input = root.querySelector<HTMLInputElement>("input[type=password]")!;
    input.value = "sk-secret";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await settle();
    click(byText(root, "button", "Save"));
    await settle();
    expect(api.setApiKey).toHaveBeenCalledWith("anthropic", "sk-secret");
    expect(root.querySelector(".provider-card .pill-ok")?.textContent).toBe("Stored API key");
    expect(root.innerHTML).not.toContain("sk-secret");
    expect(app.loadProviders).toHaveBeenCalledWith(true);
    click(byText(root, "button", "Remove"));
    await settle();
    expect(api.removeApiKey).not.toHaveBeenCalled();
    click(byText(root, "button", "Remove key"));
    await settle();
    expect(api.removeApiKey).toHaveBeenCalledWith("anthropic");
    expect(root.querySelector(".provider-card .pill")?.textContent).toBe("no key");
  });
});

describe("tools tab", () => {
  it("switches a tool globally and overrides it per project, and tells the composer to reload", async () => {
    const api = {
      tools: vi.fn(async () => ({ builtin: [{ name: "grep", description: "search", enabled: true, globalEnabled: true }] })),
      toolOverrides: vi.fn(async () => ({ projects: { p2: { builtin: { disable: ["grep"] } } } })),
      setTool: vi.fn(async () => ({})),
      clearTool: vi.fn(async () => ({})),
    };
    const { root, app } = mount(<ToolsTab />, api);
    await settle();
    expect(api.tools).toHaveBeenCalledWith("p1");
    expect(root.querySelector("summary")?.textContent).toBe("Overrides (1)");
    const sw = root.querySelector<HTMLInputElement>("input[role=switch]")!;
    sw.checked = false;
    sw.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(api.setTool).toHaveBeenCalledWith("builtin", "grep", false, "global");
    const [here, other] = [...root.querySelectorAll<HTMLSelectElement>(".tri-state select")];
    here.value = "disabled";
    here.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(api.setTool).toHaveBeenLastCalledWith("builtin", "grep", false, "project", "p1");
    other.value = "";
    other.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(api.clearTool).toHaveBeenCalledWith("builtin", "grep", "p2");
    expect(app.configVersion.value).toBe(3);
  });
});

describe("session tree", () => {
  const tree: Tree = {
    leafId: "a2",
    branchIds: ["u1", "a1", "u2", "a2"],
    entries: [
      { id: "u1", parentId: null, type: "message", role: "user", timestamp: "2026-01-01T00:00:01Z", preview: "first prompt" },
      { id: "a1", parentId: "u1", type: "message", role: "assistant", timestamp: "2026-01-01T00:00:02Z", preview: "first answer" },
      { id: "u2", parentId: "a1", type: "message", role: "user", timestamp: "2026-01-01T00:00:03Z", preview: "second prompt" },
      { id: "a2", parentId: "u2", type: "message", role: "assistant", timestamp: "2026-01-01T00:00:04Z", preview: "second answer", label: "keep" },
    ],
  };

  it("marks where the user is, and asks before a move that leaves entries behind", async () => {
    const onClose = vi.fn();
    const { root, app } = mount(<SessionTree sessionId="s1" onClose={onClose} />, { tree: vi.fn(async () => tree) });
    await settle();
    const rows = [...root.querySelectorAll(".tree-row")];
    expect(rows.map((r) => r.querySelector(".tree-preview")?.textContent)).toEqual(["first prompt", "first answer", "second prompt", "second answer"]);
    expect(rows[3].textContent).toContain("you are here");
    expect(rows[3].querySelector(".tree-label")?.textContent).toBe("★ keep");
    click(rows[1]);
    await settle();
    click(byText(root, "button", "Go here"));
    await settle();
    const dialog = document.querySelector("[aria-label='Move to this point?']")!;
    expect(dialog.textContent).toContain("2 entries of the current branch will be left behind");
    const label = dialog.querySelector<HTMLInputElement>("input:not([type])")!;
    label.value = "old way";
    label.dispatchEvent(new Event("input", { bubbles: true }));
    const box = dialog.querySelector<HTMLInputElement>("input[type=checkbox]")!;
    box.checked = true;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    click(byText(dialog, "button", "Move here"));
    await settle();
    expect(app.branching.navigate).toHaveBeenCalledWith("s1", "a1", { label: "old way", summarize: true, customInstructions: undefined });
  });

  it("forks a prompt into a new session with its text to edit", async () => {
    const { root, app } = mount(<SessionTree sessionId="s1" onClose={() => undefined} />, { tree: vi.fn(async () => tree) });
    await settle();
    click([...root.querySelectorAll(".tree-row")][2]);
    await settle();
    click(byText(root, "button", "Edit & resubmit"));
    expect(app.branching.editAndResubmit).toHaveBeenCalledWith("s1", tree.entries[2], "second prompt");
  });
});
