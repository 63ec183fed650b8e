import { describe, expect, it } from "vitest";
import { SseParser, type SseFrame } from "../src/sse/frames";

const enc = new TextEncoder();

function feedAll(chunks: Uint8Array[]): SseFrame[] {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
}

// splitAt cuts bytes at the given offsets.
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.slice(prev, c));
    prev = c;
  }
  return out;
}

const stream =
  'id: s1:1\ndata: {"type":"snapshot","messages":[]}\n\n' +
  ": heartbeat " + "_".repeat(40) + "\n\n" +
  'id: s1:2\r\ndata: {"type":"message_update","assistantMessageEvent":{"type":"text_delta","contentIndex":0,"delta":"héllo → 世界 🎉"}}\r\n\r\n' +
  'id: s1:3\rdata: {"type":"agent_end"}\r\r';

describe("SseParser", () => {
  const expected: SseFrame[] = [
    { kind: "event", id: "s1:1", data: '{"type":"snapshot","messages":[]}' },
    { kind: "comment", text: "heartbeat " + "_".repeat(40) },
    {
      kind: "event",
      id: "s1:2",
      data: '{"type":"message_update","assistantMessageEvent":{"type":"text_delta","contentIndex":0,"delta":"héllo → 世界 🎉"}}',
    },
    { kind: "event", id: "s1:3", data: '{"type":"agent_end"}' },
  ];

  it("parses a whole stream in one chunk", () => {
    expect(feedAll([enc.encode(stream)])).toEqual(expected);
  });

  it("gives the same frames whatever the byte boundaries (multi-byte characters and CRLF split)", () => {
    const bytes = enc.encode(stream);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(feedAll(splitAt(bytes, [cut]))).toEqual(expected);
    }
    // one byte at a time
    expect(feedAll(splitAt(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)))).toEqual(expected);
  });

  it("joins multi-line data and ignores retry and unknown fields", () => {
    const p = new SseParser();
    expect(p.push("retry: 10\nfoo: bar\ndata: a\ndata: b\nevent: x\n\n")).toEqual([{ kind: "event", event: "x", data: "a\nb" }]);
  });

  it("does not dispatch an event until its blank line arrives", () => {
    const p = new SseParser();
    expect(p.push('data: {"type":"agent_start"}\n')).toEqual([]);
    expect(p.push("\n")).toEqual([{ kind: "event", data: '{"type":"agent_start"}' }]);
  });
});
