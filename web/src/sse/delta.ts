// Rebuilds the streaming assistant message from compact message_update events
// (docs/sse.md): *_start puts an empty block at contentIndex, *_delta appends,
// *_end replaces the block with its final form. The message is mutated in place;
// the caller decides when to re-render.

import type { AssistantMessage, ContentBlock, TextBlock, ThinkingBlock, ToolCallBlock } from "../api/types";
import { parsePartialJson } from "./partial-json";

export interface AssistantMessageEvent {
  type: string;
  contentIndex?: number;
  delta?: string;
  content?: string;
  toolCall?: { id: string; name: string; arguments?: Record<string, unknown> };
  partial?: AssistantMessage;
  reason?: string;
  error?: AssistantMessage;
  message?: AssistantMessage;
}

/** applyAssistantEvent applies one event; it returns false when the event was not understood. */
export function applyAssistantEvent(msg: AssistantMessage, ev: AssistantMessageEvent): boolean {
  const i = ev.contentIndex ?? 0;
  switch (ev.type) {
    case "start":
      return true;
    case "text_start":
      msg.content[i] = { type: "text", text: "" };
      return true;
    case "text_delta":
      textBlock(msg, i).text += ev.delta ?? "";
      return true;
    case "text_end":
      textBlock(msg, i).text = ev.content ?? textBlock(msg, i).text;
      return true;
    case "thinking_start":
      msg.content[i] = { type: "thinking", thinking: "" };
      return true;
    case "thinking_delta":
      thinkingBlock(msg, i).thinking += ev.delta ?? "";
      return true;
    case "thinking_end":
      thinkingBlock(msg, i).thinking = ev.content ?? thinkingBlock(msg, i).thinking;
      return true;
    case "toolcall_start":
      msg.content[i] = {
        type: "toolCall",
        id: ev.toolCall?.id ?? "",
        name: ev.toolCall?.name ?? "",
        arguments: {},
        partialJson: "",
      };
      return true;
    case "toolcall_delta": {
      const b = toolBlock(msg, i);
      b.partialJson = (b.partialJson ?? "") + (ev.delta ?? "");
      b.arguments = parsePartialJson(b.partialJson) ?? b.arguments;
      return true;
    }
    case "toolcall_end": {
      if (ev.toolCall) msg.content[i] = { type: "toolCall", id: ev.toolCall.id, name: ev.toolCall.name, arguments: ev.toolCall.arguments ?? {} };
      else delete toolBlock(msg, i).partialJson;
      return true;
    }
    case "done":
      if (ev.reason) msg.stopReason = ev.reason as AssistantMessage["stopReason"];
      return true;
    case "error":
      msg.stopReason = (ev.reason as AssistantMessage["stopReason"]) ?? "error";
      if (ev.error?.errorMessage) msg.errorMessage = ev.error.errorMessage;
      return true;
    default:
      return false;
  }
}

// The accessors repair a missing block (a replay that starts mid-block after a
// snapshot already holds part of it never happens, but a bad frame must not throw).
function textBlock(msg: AssistantMessage, i: number): TextBlock {
  const b = msg.content[i];
  if (b && b.type === "text") return b as TextBlock;
  const nb: TextBlock = { type: "text", text: "" };
  msg.content[i] = nb;
  return nb;
}

function thinkingBlock(msg: AssistantMessage, i: number): ThinkingBlock {
  const b = msg.content[i];
  if (b && b.type === "thinking") return b as ThinkingBlock;
  const nb: ThinkingBlock = { type: "thinking", thinking: "" };
  msg.content[i] = nb;
  return nb;
}

function toolBlock(msg: AssistantMessage, i: number): ToolCallBlock {
  const b = msg.content[i] as ContentBlock | undefined;
  if (b && b.type === "toolCall") return b as ToolCallBlock;
  const nb: ToolCallBlock = { type: "toolCall", id: "", name: "", arguments: {}, partialJson: "" };
  msg.content[i] = nb;
  return nb;
}

/** cloneAssistant copies a message deep enough that applying events never touches the original. */
export function cloneAssistant(m: AssistantMessage): AssistantMessage {
  return { ...m, content: (m.content ?? []).map((b) => ({ ...b })) };
}
