import { describe, expect, it } from "vitest";
import { diffStats, parseToolDiff } from "../src/components/chat/DiffView";
import { preview, resultText } from "../src/components/chat/ToolCard";
import { computeWindow, HeightMap } from "../src/components/chat/virtual";
import { HistoryCursor, loadHistory, pushHistory } from "../src/components/composer/history";
import { filterModels, usableModels } from "../src/components/composer/ModelPicker";

describe("transcript window", () => {
  const keys = Array.from({ length: 5000 }, (_, i) => `m${i}`);

  it("renders only the rows near the viewport of a long transcript", () => {
    const h = new HeightMap(100);
    const w = computeWindow(h.offsets(keys), 250_000, 800, 400, false);
    expect(w.start).toBe(2496);
    expect(w.end).toBe(2513);
    expect(w.top).toBe(249_600);
    expect(w.top + (w.end - w.start) * 100 + w.bottom).toBe(500_000);
  });

  it("counts back from the end when pinned to the bottom", () => {
    const h = new HeightMap(100);
    const w = computeWindow(h.offsets(keys), 0, 800, 400, true);
    expect([w.start, w.end, w.bottom]).toEqual([4988, 5000, 0]);
  });

  it("uses measured heights once rows are seen", () => {
    const h = new HeightMap(100);
    expect(h.set("m0", 300)).toBe(200);
    expect(h.offsets(["m0", "m1"])[2]).toBe(400);
  });

  it("copes with an empty transcript", () => {
    expect(computeWindow(new HeightMap(100).offsets([]), 0, 800, 400, true)).toEqual({ start: 0, end: 0, top: 0, bottom: 0 });
  });
});

describe("edit diffs", () => {
  it("reads the edit tool's numbered diff", () => {
    const lines = parseToolDiff("  8 func Close() {\n- 9 \treturn nil\n+ 9 \treturn ln.Close()\n    ...\n 10 }");
    expect(lines.map((l) => [l.kind, l.num, l.text])).toEqual([
      ["ctx", "8", "func Close() {"],
      ["del", "9", "\treturn nil"],
      ["add", "9", "\treturn ln.Close()"],
      ["skip", "", "⋯"],
      ["ctx", "10", "}"],
    ]);
    expect(diffStats(lines)).toEqual({ adds: 1, dels: 1 });
  });
});

describe("tool cards", () => {
  it("summarise what a call acts on", () => {
    expect(preview("bash", { command: "go test ./...\necho ok" })).toBe("go test ./... …");
    expect(preview("read", { path: "/a.go", offset: 10, limit: 5 })).toBe("/a.go:10+5");
    expect(preview("grep", { pattern: "TODO", path: "src", glob: "*.ts" })).toBe("TODO in src (*.ts)");
    expect(preview("mystery", { q: "x", n: 1 })).toBe("x");
  });

  it("join text output and drop ANSI colour codes", () => {
    expect(resultText({ content: [{ type: "text", text: "\u001b[31mred\u001b[0m" }, { type: "image", data: "", mimeType: "image/png" }, { type: "text", text: "b" }] })).toBe("red\nb");
  });
});

describe("prompt history", () => {
  it("walks older with up, newer with down, and returns to the draft", () => {
    const c = new HistoryCursor(["one", "two"]);
    expect(c.down()).toBeNull();
    expect(c.up("draft")).toBe("two");
    expect(c.up("two")).toBe("one");
    expect(c.up("one")).toBeNull();
    expect(c.down()).toBe("two");
    expect(c.down()).toBe("draft");
    expect(c.browsing).toBe(false);
  });

  it("keeps saved prompts per session, deduplicated, merged after the transcript", () => {
    localStorage.clear();
    pushHistory("s1", "a");
    pushHistory("s1", "b");
    pushHistory("s1", "a");
    pushHistory("s2", "other");
    expect(loadHistory("s1", ["b", "from transcript"])).toEqual(["from transcript", "b", "a"]);
  });
});

describe("model picker", () => {
  const providers = [
    { provider: "anthropic", models: [m("claude-sonnet-4", true), m("claude-haiku", false)] },
    { provider: "openai", models: [m("gpt-5", true), m("gpt-5-mini", true)] },
  ];
  function m(id: string, hasAuth: boolean) {
    return { id, name: id, contextWindow: 1, maxTokens: 1, reasoning: false, input: [], hasAuth, supportedThinkingLevels: [] };
  }

  it("offers only models whose provider has a key, and filters by every word", () => {
    const all = usableModels(providers);
    expect(all.map((c) => c.model.id)).toEqual(["claude-sonnet-4", "gpt-5", "gpt-5-mini"]);
    expect(filterModels(all, "gpt mini").map((c) => c.model.id)).toEqual(["gpt-5-mini"]);
    expect(filterModels(all, "sonnet").map((c) => c.model.id)).toEqual(["claude-sonnet-4"]);
    expect(filterModels(all, "")).toHaveLength(3);
  });
});

describe("slash palette", async () => {
  const { BUILTINS, matchCommands, parseBuiltin, slashQuery } = await import("../src/components/composer/SlashPalette");
  it("opens only for a single slash word", () => {
    expect(slashQuery("/com")).toBe("com");
    expect(slashQuery("/")).toBe("");
    expect(slashQuery("/compact now")).toBeNull();
    expect(slashQuery("a /b")).toBeNull();
  });
  it("puts prefix matches first", () => {
    const all = [...BUILTINS, { name: "review-abort", description: "", kind: "template" as const }];
    expect(matchCommands(all, "ab").map((c) => c.name)).toEqual(["abort", "review-abort"]);
  });
  it("recognises built-ins with their arguments, and leaves templates to the server", () => {
    expect(parseBuiltin("/compact keep API notes")).toEqual({ name: "compact", args: "keep API notes" });
    expect(parseBuiltin("/abort")).toEqual({ name: "abort", args: "" });
    expect(parseBuiltin("/review src")).toBeNull();
  });
});
