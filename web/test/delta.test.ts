import { describe, expect, it } from "vitest";
import type { AssistantMessage } from "../src/api/types";
import { applyAssistantEvent } from "../src/sse/delta";

function fresh(): AssistantMessage {
  return { role: "assistant", content: [], timestamp: 1 };
}

describe("applyAssistantEvent (compact deltas)", () => {
  it("rebuilds thinking, text and a tool call from start/delta/end events", () => {
    const m = fresh();
    const events = [
      { type: "start" },
      { type: "thinking_start", contentIndex: 0 },
      { type: "thinking_delta", contentIndex: 0, delta: "Let me " },
      { type: "thinking_delta", contentIndex: 0, delta: "look." },
      { type: "thinking_end", contentIndex: 0, content: "Let me look." },
      { type: "text_start", contentIndex: 1 },
      { type: "text_delta", contentIndex: 1, delta: "Hel" },
      { type: "text_delta", contentIndex: 1, delta: "lo" },
      { type: "toolcall_start", contentIndex: 2, toolCall: { id: "c1", name: "bash" } },
      { type: "toolcall_delta", contentIndex: 2, delta: '{"comm' },
      { type: "toolcall_delta", contentIndex: 2, delta: 'and":"ls' },
    ];
    for (const e of events) expect(applyAssistantEvent(m, e)).toBe(true);
    expect(m.content[0]).toEqual({ type: "thinking", thinking: "Let me look." });
    expect(m.content[1]).toEqual({ type: "text", text: "Hello" });
    expect(m.content[2]).toMatchObject({ type: "toolCall", id: "c1", name: "bash", arguments: { command: "ls" } });

    applyAssistantEvent(m, { type: "text_end", contentIndex: 1, content: "Hello!" });
    applyAssistantEvent(m, {
      type: "toolcall_end",
      contentIndex: 2,
      toolCall: { id: "c1", name: "bash", arguments: { command: "ls -la" } },
    });
    expect(m.content[1]).toEqual({ type: "text", text: "Hello!" });
    expect(m.content[2]).toEqual({ type: "toolCall", id: "c1", name: "bash", arguments: { command: "ls -la" } });
  });

  it("records a provider error", () => {
    const m = fresh();
    applyAssistantEvent(m, { type: "error", reason: "error", error: { ...fresh(), errorMessage: "overloaded" } });
    expect(m.stopReason).toBe("error");
    expect(m.errorMessage).toBe("overloaded");
  });

  it("does not throw on a delta for a block it never saw, and reports unknown events", () => {
    const m = fresh();
    applyAssistantEvent(m, { type: "text_delta", contentIndex: 0, delta: "x" });
    expect(m.content[0]).toEqual({ type: "text", text: "x" });
    expect(applyAssistantEvent(m, { type: "something_new" })).toBe(false);
  });
});
