import { render } from "preact";
import { beforeAll, describe, expect, it } from "vitest";
import { AppContext } from "../src/app/context";
import type { AppState } from "../src/app/state";
import { Transcript } from "../src/components/chat/Transcript";
import { createChatStore } from "../src/stores/chat";
import { createUiStore } from "../src/stores/ui";

beforeAll(() => {
  // jsdom has no layout: a resize observer that never fires is enough here.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});

const settle = () => new Promise((r) => setTimeout(r, 30));

function mount() {
  const chat = createChatStore({ schedule: (fn) => setTimeout(fn, 0) });
  const root = document.createElement("div");
  document.body.appendChild(root);
  render(
    <AppContext.Provider value={{ chat, ui: createUiStore(localStorage) } as unknown as AppState}>
      <Transcript />
    </AppContext.Provider>,
    root,
  );
  return { chat, root };
}

describe("Transcript", () => {
  it("streams a reply with thinking, text and a bash call whose output arrives live", async () => {
    const { chat, root } = mount();
    chat.handle({ type: "snapshot", messages: [{ role: "user", content: "list files", timestamp: 1 }], isStreaming: false });
    chat.handle({ type: "agent_start" });
    chat.handle({ type: "message_start", message: { role: "assistant", content: [], timestamp: 2 } });
    const ev = (e: object) => chat.handle({ type: "message_update", assistantMessageEvent: e });
    ev({ type: "thinking_start", contentIndex: 0 });
    ev({ type: "thinking_delta", contentIndex: 0, delta: "I will run ls" });
    await settle();
    expect(root.querySelector("details.thinking.streaming")?.hasAttribute("open")).toBe(true);
    expect(root.textContent).toContain("I will run ls");

    ev({ type: "thinking_end", contentIndex: 0, content: "I will run ls" });
    ev({ type: "toolcall_start", contentIndex: 1, toolCall: { id: "c1", name: "bash" } });
    ev({ type: "toolcall_delta", contentIndex: 1, delta: '{"command":"ls -l' });
    await settle();
    expect(root.querySelector(".tool-card.status-generating .tool-preview")?.textContent).toBe("ls -l");

    const call = { type: "toolCall", id: "c1", name: "bash", arguments: { command: "ls -la" } };
    ev({ type: "toolcall_end", contentIndex: 1, toolCall: call });
    chat.handle({ type: "message_end", message: { role: "assistant", content: [{ type: "thinking", thinking: "I will run ls" }, call], timestamp: 2, stopReason: "toolUse" } });
    chat.handle({ type: "tool_execution_start", toolCallId: "c1", toolName: "bash", args: call.arguments });
    chat.handle({ type: "tool_execution_update", toolCallId: "c1", toolName: "bash", partialResult: { content: [{ type: "text", text: "a.go\n" }] } });
    await settle();
    expect(root.querySelector(".tool-card.status-running .tool-output")?.textContent).toBe("a.go\n");
    // Once the answer is committed the thinking block is closed.
    expect(root.querySelector("details.thinking")?.hasAttribute("open")).toBe(false);

    chat.handle({ type: "tool_execution_update", toolCallId: "c1", toolName: "bash", partialResult: { content: [{ type: "text", text: "a.go\nb.go\n" }] } });
    await settle();
    expect(root.querySelector(".tool-card .tool-output")?.textContent).toBe("a.go\nb.go\n");

    const result = { role: "toolResult", toolCallId: "c1", toolName: "bash", content: [{ type: "text", text: "a.go\nb.go\n" }], isError: false, timestamp: 3 };
    chat.handle({ type: "tool_execution_end", toolCallId: "c1", toolName: "bash", result, isError: false });
    chat.handle({ type: "message_start", message: result });
    chat.handle({ type: "message_end", message: result });
    chat.handle({ type: "message_start", message: { role: "assistant", content: [], timestamp: 4 } });
    ev({ type: "text_start", contentIndex: 0 });
    ev({ type: "text_delta", contentIndex: 0, delta: "Two files:\n\n| f |\n|---|\n| a.go |\n" });
    await settle();
    expect(root.querySelector(".msg.streaming .md table")).not.toBeNull();
    expect(root.querySelectorAll(".tool-card.status-done")).toHaveLength(1);
    // The paired result is shown inside its card, not as a row of its own.
    expect(root.querySelectorAll(".msg-tool")).toHaveLength(0);
  });

  it("shows failures inline and a provider error on the message", async () => {
    const { chat, root } = mount();
    chat.handle({ type: "snapshot", messages: [], isStreaming: false });
    chat.handle({ type: "auto_retry_start", attempt: 1, maxAttempts: 3, delayMs: 1000, errorMessage: "overloaded" });
    chat.handle({
      type: "message_end",
      message: { role: "assistant", content: [], timestamp: 1, stopReason: "error", errorMessage: "rate limited" },
    });
    await settle();
    expect(root.querySelector(".notice-retry")?.textContent).toContain("Retrying (1/3)");
    expect(root.querySelector(".msg-error")?.textContent).toContain("rate limited");
  });

  it("shows a compaction as a card that opens onto the archived messages, instead of the bare summary", async () => {
    const { chat, root } = mount();
    chat.handle({
      type: "snapshot",
      messages: [
        { role: "compactionSummary", summary: "We set up the repo.", tokensBefore: 50000, timestamp: 1 },
        { role: "user", content: "go on", timestamp: 2 },
      ],
      isStreaming: false,
    });
    chat.compactions.value = [
      {
        id: "c1",
        timestamp: "2026-01-01T00:00:00Z",
        summary: "We set up the repo.",
        tokensBefore: 50000,
        insertBeforeIndex: 0,
        archivedMessages: [
          { role: "user", content: "set up the repo", timestamp: 0 },
          { role: "assistant", content: [{ type: "toolCall", id: "t1", name: "bash", arguments: { command: "git init" } }], timestamp: 0 },
          { role: "toolResult", toolCallId: "t1", toolName: "bash", content: [{ type: "text", text: "Initialized" }], isError: false, timestamp: 0 },
        ],
      },
    ];
    await settle();
    const head = root.querySelector<HTMLButtonElement>(".compaction-head")!;
    expect(head.textContent).toContain("Compacted 3 messages");
    expect(head.textContent).toContain("50k");
    expect(root.querySelectorAll(".msg-meta-card")).toHaveLength(1);
    head.click();
    await settle();
    const archive = root.querySelector(".compaction-archive")!;
    expect(archive.textContent).toContain("set up the repo");
    // The archived tool result is paired with its call, not shown as a second card.
    expect(archive.querySelectorAll(".tool-card")).toHaveLength(1);
    expect(archive.querySelector(".tool-card")?.className).toContain("status-done");
  });
});
