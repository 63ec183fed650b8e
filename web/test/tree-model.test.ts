import { describe, expect, it } from "vitest";
import type { AgentMessage, SessionTree, TreeEntry } from "../src/api/types";
import { abandonedBy, entryIdsForMessages, foldToolResults, forkPointForEdit, treeRows } from "../src/tree/model";

let clock = 0;
function e(id: string, parentId: string | null, role?: string, extra: Partial<TreeEntry> = {}): TreeEntry {
  clock++;
  return { id, parentId, type: role ? "message" : "label", timestamp: `2026-01-01T00:00:${String(clock).padStart(2, "0")}Z`, role, preview: role ? `${role} ${id}` : undefined, ...extra };
}

// u1 → a1 → u2 → a2 (old branch, abandoned)
//            ↘ u3 → a3 (active; leaf a3)
function forked(): SessionTree {
  clock = 0;
  return {
    leafId: "a3",
    branchIds: ["u1", "a1", "u3", "a3"],
    entries: [e("u1", null, "user"), e("a1", "u1", "assistant"), e("u2", "a1", "user"), e("a2", "u2", "assistant"), e("u3", "a1", "user"), e("a3", "u3", "assistant")],
  };
}

describe("tree rows", () => {
  it("keeps a chain flat, indents at a fork, and lists the active branch first", () => {
    const rows = treeRows(forked());
    expect(rows.map((r) => `${r.entry.id}:${r.depth}`)).toEqual(["u1:0", "a1:0", "u3:1", "a3:1", "u2:1", "a2:1"]);
    expect(rows.find((r) => r.entry.id === "a1")?.branches).toBe(2);
    expect(rows.filter((r) => r.onPath).map((r) => r.entry.id)).toEqual(["u1", "a1", "u3", "a3"]);
    expect(rows.filter((r) => r.branchHead).map((r) => r.entry.id)).toEqual(["u2"]);
    expect(rows.filter((r) => r.isLeaf).map((r) => r.entry.id)).toEqual(["a3"]);
  });

  it("folds label entries and tool results without losing what hangs under them", () => {
    clock = 0;
    const tree: SessionTree = {
      leafId: "l1",
      branchIds: ["u1", "a1", "t1", "a2", "l1"],
      entries: [e("u1", null, "user"), e("a1", "u1", "assistant"), e("t1", "a1", "toolResult"), e("a2", "t1", "assistant"), e("l1", "a2", undefined, { label: "x" })],
    };
    const rows = treeRows(tree, foldToolResults);
    expect(rows.map((r) => r.entry.id)).toEqual(["u1", "a1", "a2"]);
    // The leaf is a folded label under a2: a2 is "you are here".
    expect(rows.find((r) => r.isLeaf)?.entry.id).toBe("a2");
    expect(rows.every((r) => r.onPath)).toBe(true);
  });

  it("handles a long chain without recursion limits", () => {
    const entries: TreeEntry[] = [];
    for (let i = 0; i < 20000; i++) entries.push({ id: `e${i}`, parentId: i ? `e${i - 1}` : null, type: "message", role: i % 2 ? "assistant" : "user", timestamp: "t" });
    const rows = treeRows({ leafId: "e19999", branchIds: entries.map((x) => x.id), entries });
    expect(rows).toHaveLength(20000);
    expect(rows[19999].depth).toBe(0);
  });
});

describe("moves in the tree", () => {
  it("needs no confirmation to go forward, and counts what going back leaves behind", () => {
    const t = forked();
    const byId = new Map(t.entries.map((x) => [x.id, x]));
    // To a2 on the other branch: u3 and a3 are left behind.
    expect(abandonedBy(t, byId.get("a2")!)).toEqual(["u3", "a3"]);
    // Picking the prompt u3 lands on its parent a1: u3 and a3 are left behind.
    expect(abandonedBy(t, byId.get("u3")!)).toEqual(["u3", "a3"]);
    // From a leaf in the middle, moving to a descendant abandons nothing.
    expect(abandonedBy({ ...t, leafId: "a1", branchIds: ["u1", "a1"] }, byId.get("a3")!)).toEqual([]);
  });

  it("forks before a prompt to edit it, and at the prompt itself when it is the root", () => {
    const t = forked();
    expect(forkPointForEdit(t.entries.find((x) => x.id === "u3")!)).toBe("a1");
    expect(forkPointForEdit(t.entries.find((x) => x.id === "u1")!)).toBe("u1");
  });
});

describe("messages to entries", () => {
  const user = (text: string): AgentMessage => ({ role: "user", content: text, timestamp: 1 });
  const asst: AgentMessage = { role: "assistant", content: [], timestamp: 2 };

  it("places each transcript message on the active path, from the end", () => {
    const t = forked();
    t.entries.find((x) => x.id === "u3")!.preview = "again";
    t.entries.find((x) => x.id === "u1")!.preview = "hello";
    expect(entryIdsForMessages([user("hello"), asst, user("again"), asst], t)).toEqual(["u1", "a1", "u3", "a3"]);
  });

  it("stops at a compaction summary and at anything that does not line up", () => {
    const t = forked();
    t.entries.find((x) => x.id === "u3")!.preview = "again";
    const summary: AgentMessage = { role: "compactionSummary", summary: "s", timestamp: 0 };
    expect(entryIdsForMessages([summary, user("again"), asst], t)).toEqual([undefined, "u3", "a3"]);
    // A prompt whose text differs from the entry's preview is not placed (nor anything before it).
    expect(entryIdsForMessages([user("hello"), asst, user("something else"), asst], t)).toEqual([undefined, undefined, undefined, "a3"]);
  });
});
