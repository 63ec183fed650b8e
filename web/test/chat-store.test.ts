import { describe, expect, it } from "vitest";
import type { AssistantMessage } from "../src/api/types";
import { createChatStore } from "../src/stores/chat";

// A manual scheduler: frames render only when the test says so.
function manualFrames() {
  const queue: Array<() => void> = [];
  return { schedule: (fn: () => void) => void queue.push(fn), flush: () => queue.splice(0).forEach((f) => f()) };
}

const user = (text: string) => ({ role: "user" as const, content: text, timestamp: 1 });
const assistantStart: AssistantMessage = { role: "assistant", content: [], timestamp: 2 };

describe("chat store", () => {
  it("replaces everything on a snapshot and keeps the streaming message to continue", () => {
    const chat = createChatStore();
    chat.handle({
      type: "snapshot",
      messages: [user("hi")],
      isStreaming: true,
      name: "S",
      streamingMessage: { role: "assistant", content: [{ type: "text", text: "Hel" }], timestamp: 2 },
    });
    expect(chat.messages.value).toHaveLength(1);
    expect(chat.isStreaming.value).toBe(true);
    expect(chat.sessionName.value).toBe("S");
    chat.handle({ type: "message_update", assistantMessageEvent: { type: "text_delta", contentIndex: 0, delta: "lo" } });
    expect(chat.draft()?.content[0]).toEqual({ type: "text", text: "Hello" });
  });

  it("batches deltas into one render a frame and commits the final message on message_end", () => {
    const frames = manualFrames();
    const chat = createChatStore({ schedule: frames.schedule });
    chat.handle({ type: "agent_start" });
    chat.handle({ type: "message_start", message: assistantStart });
    const tick0 = chat.streamTick.value;
    for (const d of ["a", "b", "c"]) chat.handle({ type: "message_update", assistantMessageEvent: { type: "text_delta", contentIndex: 0, delta: d } });
    expect(chat.streamTick.value).toBe(tick0);
    frames.flush();
    expect(chat.streamTick.value).toBe(tick0 + 1);
    expect(chat.draft()?.content[0]).toEqual({ type: "text", text: "abc" });
    const final: AssistantMessage = { ...assistantStart, content: [{ type: "text", text: "abc" }], stopReason: "stop" };
    const listBefore = chat.messages.value;
    chat.handle({ type: "message_end", message: final });
    expect(chat.draft()).toBeNull();
    expect(chat.messages.value).toEqual([final]);
    expect(listBefore).toEqual([]); // the old array is not mutated: memoized rows stay valid
    chat.handle({ type: "agent_end", messages: [] });
    expect(chat.isStreaming.value).toBe(false);
  });

  it("uses the full partial message when the server sends reference framing", () => {
    const chat = createChatStore();
    chat.handle({ type: "message_start", message: assistantStart });
    chat.handle({
      type: "message_update",
      message: { ...assistantStart, content: [{ type: "text", text: "whole" }] },
      assistantMessageEvent: { type: "text_delta", contentIndex: 0, delta: "ole" },
    });
    expect(chat.draft()?.content[0]).toEqual({ type: "text", text: "whole" });
  });

  it("shows a user message from message_start, replaces it at message_end, and drops the matching optimistic prompt", () => {
    const chat = createChatStore();
    chat.addPending("hi");
    expect(chat.pending.value).toHaveLength(1);
    chat.handle({ type: "message_start", message: user("hi") });
    expect(chat.pending.value).toHaveLength(0);
    expect(chat.messages.value).toHaveLength(1);
    const final = { ...user("hi"), timestamp: 9 };
    chat.handle({ type: "message_end", message: final });
    expect(chat.messages.value).toEqual([final]);
  });

  it("tracks a tool run from start through updates to its end", () => {
    const chat = createChatStore({ now: () => 100 });
    chat.handle({ type: "tool_execution_start", toolCallId: "t1", toolName: "bash", args: { command: "ls" } });
    const run = chat.toolRun("t1");
    expect(run.value).toMatchObject({ toolName: "bash", args: { command: "ls" }, startedAt: 100 });
    chat.handle({ type: "tool_execution_update", toolCallId: "t1", toolName: "bash", partialResult: { content: [{ type: "text", text: "a\n" }] } });
    expect(run.value?.partial?.content?.[0]).toEqual({ type: "text", text: "a\n" });
    chat.handle({ type: "tool_execution_end", toolCallId: "t1", toolName: "bash", result: { content: [{ type: "text", text: "a\nb\n" }] }, isError: true });
    expect(run.value).toMatchObject({ isError: true, endedAt: 100 });
  });

  it("pairs committed tool results with their calls by id", () => {
    const chat = createChatStore();
    const result = { role: "toolResult", toolCallId: "t9", toolName: "read", content: [], isError: false, timestamp: 3 };
    chat.handle({ type: "message_start", message: result });
    chat.handle({ type: "message_end", message: result });
    expect(chat.resultsById.value.get("t9")).toEqual(result);
  });

  it("puts retries, compaction and errors inline after the current message", () => {
    const chat = createChatStore();
    chat.handle({ type: "message_start", message: user("x") });
    chat.handle({ type: "auto_retry_start", attempt: 1, maxAttempts: 3, delayMs: 2000, errorMessage: "overloaded" });
    chat.handle({ type: "compaction_start", reason: "threshold" });
    expect(chat.compacting.value).toBe(true);
    chat.handle({ type: "compaction_end", reason: "threshold", aborted: false, result: { tokensBefore: 120000 } });
    chat.handle({ type: "agent_end", errorMessage: "no_api_key" });
    expect(chat.compacting.value).toBe(false);
    expect(chat.notices.value.map((n) => [n.kind, n.text, n.afterIndex])).toEqual([
      ["retry", "Retrying (1/3) in 2s: overloaded", 1],
      ["compaction", "Compacting context (threshold)…", 1],
      ["compaction", "Context compacted (was 120k tokens).", 1],
      ["error", "no_api_key", 1],
    ]);
  });

  it("marks optimistic prompts as failed when the agent refuses them", () => {
    const chat = createChatStore();
    chat.addPending("do it");
    chat.handle({ type: "agent_end", sessionId: "s", errorMessage: "No API key" });
    expect(chat.pending.value[0].error).toBe("No API key");
  });

  it("keeps the prompt queue and hands other events on", () => {
    const others: string[] = [];
    const chat = createChatStore({ onOther: (e) => others.push(e.type) });
    chat.handle({ type: "queue_update", steering: ["a"], followUp: ["b"] });
    expect(chat.queue.value).toEqual({ steering: ["a"], followUp: ["b"] });
    chat.handle({ type: "todo_update", tasks: [] });
    chat.handle({ type: "session_renamed", name: "New" });
    expect(others).toEqual(["todo_update", "session_renamed"]);
    expect(chat.sessionName.value).toBe("New");
  });
});
