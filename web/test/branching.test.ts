import { describe, expect, it, vi } from "vitest";
import type { Api } from "../src/api/client";
import type { AgentMessage, SessionTree } from "../src/api/types";
import { createBranching } from "../src/app/branching";
import { createChatStore } from "../src/stores/chat";
import { createSessionsStore } from "../src/stores/sessions";
import { createUiStore } from "../src/stores/ui";
import { checkModels, parseJson, redactedKeys } from "../src/components/settings/modelsJson";

const tree: SessionTree = {
  leafId: "a2",
  branchIds: ["u1", "a1", "u2", "a2"],
  entries: [
    { id: "u1", parentId: null, type: "message", role: "user", timestamp: "1", preview: "first" },
    { id: "a1", parentId: "u1", type: "message", role: "assistant", timestamp: "2" },
    { id: "u2", parentId: "a1", type: "message", role: "user", timestamp: "3", preview: "second" },
    { id: "a2", parentId: "u2", type: "message", role: "assistant", timestamp: "4" },
  ],
};
const transcript: AgentMessage[] = [
  { role: "user", content: "first", timestamp: 1 },
  { role: "assistant", content: [{ type: "text", text: "one" }], timestamp: 2 },
  { role: "user", content: [{ type: "text", text: "second" }], timestamp: 3 },
  { role: "assistant", content: [{ type: "text", text: "two" }], timestamp: 4 },
];

function setup(over: Partial<Record<keyof Api, unknown>> = {}) {
  const api = {
    tree: vi.fn(async () => tree),
    fork: vi.fn(async (_sid: string, entryId: string) => ({ sessionId: `fork-of-${entryId}`, projectId: "p1" })),
    navigate: vi.fn(async () => ({ cancelled: false, editorText: "second" })),
    messages: vi.fn(async () => ({ messages: transcript.slice(0, 2) })),
    listSessions: vi.fn(async () => ({ sessions: [] })),
    ...over,
  } as unknown as Api;
  const ui = createUiStore(window.localStorage);
  const chat = createChatStore();
  const sessions = createSessionsStore(api);
  ui.openSession("p1", "s1");
  chat.handle({ type: "snapshot", messages: transcript, isStreaming: false });
  return { api, ui, chat, b: createBranching({ api, ui, sessions, chat }) };
}

describe("branching", () => {
  it("edit-and-resubmit forks before the prompt and drafts its text in the new session", async () => {
    const { api, ui, b } = setup();
    await b.forkFromMessage("s1", 2, true);
    expect(api.fork).toHaveBeenCalledWith("s1", "a1");
    expect(ui.sessionId.value).toBe("fork-of-a1");
    expect(ui.draft.value).toEqual({ sessionId: "fork-of-a1", text: "second" });
  });

  it("branch-from-here keeps the message in the new session", async () => {
    const { api, ui, b } = setup();
    await b.forkFromMessage("s1", 1, false);
    expect(api.fork).toHaveBeenCalledWith("s1", "a1");
    expect(ui.sessionId.value).toBe("fork-of-a1");
    expect(ui.draft.value).toBeNull();
  });

  it("navigating refetches the transcript and returns the prompt to the composer", async () => {
    const { api, ui, chat, b } = setup();
    const resets = chat.resetCount.value;
    expect(await b.navigate("s1", "u2", { label: "old" })).toBe(true);
    expect(api.navigate).toHaveBeenCalledWith("s1", "u2", { label: "old" });
    expect(chat.messages.value).toHaveLength(2);
    expect(chat.resetCount.value).toBe(resets + 1);
    expect(ui.draft.value).toEqual({ sessionId: "s1", text: "second" });
  });

  it("says so when a message cannot be placed in the tree, and forks nothing", async () => {
    const { api, ui, b } = setup({ tree: vi.fn(async () => ({ leafId: null, branchIds: [], entries: [] })) });
    const toast = vi.spyOn(ui, "toast");
    await b.forkFromMessage("s1", 2, true);
    expect(api.fork).not.toHaveBeenCalled();
    expect(toast).toHaveBeenCalled();
  });
});

describe("local shell results", () => {
  it("shows the POST /exec answer, and swaps it for the server's copy when that arrives", () => {
    const chat = createChatStore();
    const id = chat.startBash("ls", false);
    expect(chat.running.value).toHaveLength(1);
    chat.finishBash(id, { role: "bashExecution", command: "ls", output: "a\n", exitCode: 0, timestamp: 5 });
    expect(chat.running.value).toHaveLength(0);
    expect(chat.messages.value).toHaveLength(1);
    const server: AgentMessage = { role: "bashExecution", command: "ls", output: "a\n", exitCode: 0, timestamp: 6 };
    chat.handle({ type: "message_start", message: server });
    chat.handle({ type: "message_end", message: server });
    expect(chat.messages.value).toEqual([server]);
  });
});

describe("models.json checks", () => {
  it("points at the line and column of a JSON error", () => {
    const r = parseJson('{\n  "providers": {,\n}');
    expect("problem" in r && r.problem.line).toBe(2);
  });
  it("wants a providers object with model ids, and names placeholder keys", () => {
    expect(checkModels([])).toEqual(["The document must be a JSON object."]);
    expect(checkModels({})[0]).toMatch(/providers/);
    expect(checkModels({ providers: { x: { models: [{}], apiKey: 3 } } })).toEqual(["providers.x.apiKey must be a string.", 'providers.x.models[0] needs an "id" string.']);
    const ok = { providers: { x: { apiKey: "***REDACTED***", models: [{ id: "m", contextWindow: 1000 }] } } };
    expect(checkModels(ok)).toEqual([]);
    expect(redactedKeys(ok)).toEqual(["x"]);
  });
});

describe("compaction", () => {
  it("asks for the rewritten transcript after a compaction that finished, not after one that failed", () => {
    const onCompacted = vi.fn();
    const chat = createChatStore({ onCompacted });
    chat.handle({ type: "compaction_start", reason: "manual" });
    chat.handle({ type: "compaction_end", reason: "manual", aborted: true });
    chat.handle({ type: "compaction_end", reason: "manual", errorMessage: "boom" });
    expect(onCompacted).not.toHaveBeenCalled();
    chat.handle({ type: "compaction_end", reason: "manual", result: { tokensBefore: 1000 } });
    expect(onCompacted).toHaveBeenCalledOnce();
  });
});
