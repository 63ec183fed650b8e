import { signal } from "@preact/signals";
import { createHash } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { ApiError, createApiClient } from "../src/api/client";
import type { Project } from "../src/api/types";
import type { StreamEvent } from "../src/sse/stream";
import { filenameOf, workspaceApi } from "../src/workspace/api";
import { gutterMarks, parseAny, parseToolDiffRows, parseUnified, splitRows } from "../src/workspace/diff";
import { languageFor } from "../src/workspace/editor/languages";
import { baseName, invalidName, visibleRows } from "../src/workspace/files/rows";
import { upload, type UploadItem } from "../src/workspace/files/upload";
import { layoutLanes } from "../src/workspace/lanes";
import { estimate } from "../src/workspace/ContextPanel";
import { groupMatches } from "../src/workspace/SearchPanel";
import { createWorkspaceStore } from "../src/workspace/store";

const GIT_DIFF = `diff --git a/src/a.ts b/src/a.ts
index 1111111..2222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,4 +1,4 @@
 one
-two
+TWO
 three
 four
@@ -10,3 +10,5 @@ function f() {
 ten
+eleven
+--- not a header
 twelve
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
`;

describe("unified diffs", () => {
  it("splits files and numbers lines and hunks", () => {
    const [a, gone, img] = parseUnified(GIT_DIFF);
    expect(a.path).toBe("src/a.ts");
    expect(a.hunks).toBe(2);
    expect([a.additions, a.deletions]).toEqual([3, 1]);
    const added = a.rows.filter((r) => r.kind === "add");
    expect(added.map((r) => [r.new, r.text, r.hunk])).toEqual([
      [2, "TWO", 0],
      [11, "eleven", 1],
      [12, "--- not a header", 1],
    ]);
    expect(a.rows.find((r) => r.kind === "del")).toMatchObject({ old: 2, text: "two", hunk: 0 });
    expect(gone).toMatchObject({ path: "gone.txt", deletions: 1 });
    expect(img.binary).toBe(true);
  });

  it("pairs deletions with additions side by side", () => {
    const rows = parseUnified(GIT_DIFF)[0].rows;
    const split = splitRows(rows);
    const changed = split.find((r) => r.left?.kind === "del");
    expect(changed?.right).toMatchObject({ kind: "add", text: "TWO" });
    const lone = split.find((r) => r.right?.text === "eleven");
    expect(lone?.left).toBeUndefined();
    expect(split.filter((r) => r.full?.kind === "hunk")).toHaveLength(2);
  });

  it("marks added, modified and deleted lines for the gutter", () => {
    const diff = "--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n one\n-two\n+TWO\n three\n-four\n five\n@@ -9,2 +8,3 @@\n nine\n+new\n ten\n";
    const marks = gutterMarks(diff);
    expect(marks.get(2)).toBe("modified");
    expect(marks.get(3)).toBe("deleted");
    expect(marks.get(9)).toBe("added");
    expect(marks.size).toBe(3);
  });

  it("reads the edit tool's numbered diffs and pure additions", () => {
    const rows = parseToolDiffRows(" 1 a\n-2 b\n+2 B\n   ...\n 9 z");
    expect(rows.map((r) => r.kind)).toEqual(["ctx", "del", "add", "skip", "ctx"]);
    expect(rows[2]).toMatchObject({ new: 2, text: "B" });
    const added = parseAny("--- /dev/null\n+++ b/new.md\n@@ -0,0 +1,2 @@\n+# New\n+text\n", "new.md");
    expect([added.path, added.additions, added.deletions]).toEqual(["new.md", 2, 0]);
    const tool = parseAny("-1 old\n+1 new", "f.txt");
    expect([tool.additions, tool.deletions]).toEqual([1, 1]);
  });
});

describe("log lanes", () => {
  it("keeps a straight line and opens a lane for a merge", () => {
    // m merges a (main) and b (branch); both come from r.
    const rows = layoutLanes([
      { hash: "m", parents: ["a", "b"] },
      { hash: "b", parents: ["r"] },
      { hash: "a", parents: ["r"] },
      { hash: "r", parents: [] },
    ]);
    expect(rows[0]).toMatchObject({ col: 0, into: [], out: [0, 1] });
    expect(rows[1]).toMatchObject({ col: 1, through: [0], into: [1], out: [1] });
    // a: r already waits in lane 1, so a's line joins it.
    expect(rows[2]).toMatchObject({ col: 0, through: [1], into: [0], out: [1] });
    expect(rows[3]).toMatchObject({ col: 1, into: [1], out: [] });
    expect(Math.max(...rows.map((r) => r.width))).toBe(2);
  });

  it("gives unrelated heads their own lanes", () => {
    const rows = layoutLanes([
      { hash: "x", parents: ["x0"] },
      { hash: "y", parents: ["y0"] },
      { hash: "x0", parents: [] },
      { hash: "y0", parents: [] },
    ]);
    expect(rows.map((r) => r.col)).toEqual([0, 1, 0, 1]);
    expect(rows[2].through).toEqual([1]);
  });
});

describe("file tree rows", () => {
  const tree = {
    name: "",
    path: "",
    type: "directory" as const,
    children: [
      { name: "src", path: "src", type: "directory" as const, children: [{ name: "a.ts", path: "src/a.ts", type: "file" as const }] },
      { name: "README.md", path: "README.md", type: "file" as const },
    ],
  };
  it("lists only what expanded folders hold", () => {
    expect(visibleRows(tree, new Set()).map((r) => r.rel)).toEqual(["src", "README.md"]);
    expect(visibleRows(tree, new Set(["src"])).map((r) => [r.rel, r.depth])).toEqual([
      ["src", 0],
      ["src/a.ts", 1],
      ["README.md", 0],
    ]);
  });
  it("checks names and paths", () => {
    expect(invalidName("ok.txt")).toBeNull();
    for (const bad of ["", "  ", ".", "..", "a/b", "a\\b"]) expect(invalidName(bad)).not.toBeNull();
    expect(baseName("/w/p/dir/")).toBe("dir");
  });
});

describe("uploads", () => {
  it("hashes every file, sends fields before files and batches big requests", async () => {
    const forms: FormData[] = [];
    const api = workspaceApi(
      createApiClient({
        token: { get: () => null, set: () => undefined },
        fetch: (async (_url: RequestInfo | URL, init?: RequestInit) => {
          forms.push(init!.body as FormData);
          return new Response(JSON.stringify({ files: [] }), { status: 200 });
        }) as typeof fetch,
      }),
    );
    const items: UploadItem[] = Array.from({ length: 201 }, (_, i) => ({ file: new File([`file ${i}`], `f${i}.txt`), rel: i === 0 ? "dir/f0.txt" : `f${i}.txt` }));
    await upload(api, "p1", "/w/p", items, true);
    expect(forms).toHaveLength(2);
    const keys = [...forms[0].keys()];
    expect(keys.slice(0, 3)).toEqual(["projectId", "parentPath", "overwrite"]);
    const firstFile = keys.findIndex((k) => k.startsWith("file:"));
    expect(keys.slice(firstFile).every((k) => k.startsWith("file:"))).toBe(true);
    expect(forms[0].get("path:0")).toBe("dir/f0.txt");
    expect(forms[0].get("path:1")).toBeNull();
    expect(forms[0].get("sha256:0")).toBe(createHash("sha256").update("file 0").digest("hex"));
    expect([...forms[1].keys()].filter((k) => k.startsWith("file:"))).toEqual(["file:0"]);
  });

  it("computes the SHA-256 the server checks", async () => {
    const { sha256Hex } = await import("../src/workspace/files/upload");
    expect(await sha256Hex(new Blob(["abc"]))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("workspace api", () => {
  it("turns a git refusal (200 success:false) into an ApiError", async () => {
    const api = workspaceApi(
      createApiClient({
        token: { get: () => null, set: () => undefined },
        fetch: (async () => new Response(JSON.stringify({ success: false, error: "git_auth_required", message: "Git authentication required." }), { status: 200 })) as typeof fetch,
      }),
    );
    const err = await api.gitPush("p", undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 200, code: "git_auth_required" });
  });
  it("reads download file names", () => {
    expect(filenameOf(`attachment; filename="r_sum_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`)).toBe("résumé.txt");
    expect(filenameOf(`attachment; filename="a.tar.gz"`)).toBe("a.tar.gz");
  });
  it("groups search matches by file", () => {
    const m = (path: string, line: number) => ({ path, line, column: 1, length: 1, lineSnippet: "" });
    expect(groupMatches([m("a", 1), m("a", 2), m("b", 1)]).map((g) => [g.path, g.matches.length])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });
  it("picks syntax by file name", () => {
    expect(languageFor("/p/src/App.tsx")?.name).toBe("TypeScript");
    expect(languageFor("/p/Dockerfile")?.name).toBe("Dockerfile");
    expect(languageFor("/p/notes.unknownext")).toBeNull();
  });
});

describe("workspace store", () => {
  function setup() {
    let listener: (ev: StreamEvent) => void = () => undefined;
    const project: Project = { id: "p1", name: "p", path: "/w/p", createdAt: "" };
    const storage = new Map<string, string>();
    const store = createWorkspaceStore(
      {
        api: createApiClient({ token: { get: () => null, set: () => undefined }, fetch: vi.fn() as unknown as typeof fetch }),
        ui: { projectId: signal<string | null>("p1") } as never,
        projects: { projects: signal([project]) } as never,
        onStreamEvent: (f) => ((listener = f), () => undefined),
      },
      {
        getItem: (k) => storage.get(k) ?? null,
        setItem: (k, v) => void storage.set(k, v),
        removeItem: (k) => void storage.delete(k),
        clear: () => storage.clear(),
        key: () => null,
        length: 0,
      },
    );
    return { store, emit: (ev: StreamEvent) => listener(ev), storage };
  }

  it("tells open editors when the agent's write or edit finishes", () => {
    const { store, emit } = setup();
    const changed: string[] = [];
    store.onFileChanged((p) => changed.push(p));
    emit({ type: "tool_execution_start", toolCallId: "c1", toolName: "edit", args: { path: "src/a.ts" } });
    emit({ type: "tool_execution_start", toolCallId: "c2", toolName: "write", args: { path: "/w/p/b.md" } });
    emit({ type: "tool_execution_start", toolCallId: "c3", toolName: "read", args: { path: "c.md" } });
    emit({ type: "tool_execution_start", toolCallId: "c4", toolName: "edit", args: { path: "d.md" } });
    expect(changed).toEqual([]);
    emit({ type: "tool_execution_end", toolCallId: "c1", toolName: "edit", isError: false });
    emit({ type: "tool_execution_end", toolCallId: "c2", toolName: "write", isError: false });
    emit({ type: "tool_execution_end", toolCallId: "c3", toolName: "read", isError: false });
    emit({ type: "tool_execution_end", toolCallId: "c4", toolName: "edit", isError: true });
    expect(changed).toEqual(["/w/p/src/a.ts", "/w/p/b.md"]);
    const turn = store.turnVersion.value;
    emit({ type: "agent_end" });
    expect(store.turnVersion.value).toBe(turn + 1);
  });

  it("keeps open tabs per project and follows renames and deletes", () => {
    const { store, storage } = setup();
    store.openFile("/w/p/a.ts");
    store.openFile("/w/p/dir/b.ts", 12, 3);
    expect(store.reveal.value).toMatchObject({ path: "/w/p/dir/b.ts", line: 12, column: 3 });
    expect(JSON.parse(storage.get("pi-forge/editor-tabs/p1")!)).toEqual({ paths: ["/w/p/a.ts", "/w/p/dir/b.ts"], active: "/w/p/dir/b.ts" });
    store.pathMoved("/w/p/dir", "/w/p/lib");
    expect(store.tabs.value.map((t) => t.path)).toEqual(["/w/p/a.ts", "/w/p/lib/b.ts"]);
    store.pathDeleted("/w/p/lib");
    expect(store.tabs.value.map((t) => t.path)).toEqual(["/w/p/a.ts"]);
    expect(store.relPath("/w/p/x/y.ts")).toBe("x/y.ts");
    expect(store.absPath("./x.ts")).toBe("/w/p/x.ts");
  });
});

describe("context estimate", () => {
  it("splits a transcript by kind at about 3 characters a token", () => {
    const parts = estimate([
      { role: "user", content: "x".repeat(30), timestamp: 0 },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "y".repeat(9) },
          { type: "text", text: "z".repeat(6) },
          { type: "toolCall", id: "c", name: "read", arguments: { path: "a" } },
        ],
        timestamp: 0,
      },
      { role: "toolResult", toolCallId: "c", toolName: "read", content: [{ type: "text", text: "w".repeat(300) }], isError: false, timestamp: 0 },
    ] as never);
    expect(parts).toMatchObject({ user: 10, thinking: 3, assistant: 2, toolResults: 100, images: 0 });
    expect(parts.toolCalls).toBeGreaterThan(0);
  });
});
