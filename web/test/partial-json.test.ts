import { describe, expect, it } from "vitest";
import { parsePartialJson } from "../src/sse/partial-json";

describe("parsePartialJson", () => {
  it.each([
    ['{"command":"ls -la', { command: "ls -la" }],
    ['{"command":"echo \\"hi', { command: 'echo "hi' }],
    ['{"path":"/a","edits":[{"oldText":"x"', { path: "/a", edits: [{ oldText: "x" }] }],
    ['{"path":"/a","lim', { path: "/a" }],
    ['{"path":"/a",', { path: "/a" }],
    ['{"path":', {}],
    ['{"a":1}', { a: 1 }],
  ])("reads %s", (src, want) => {
    expect(parsePartialJson(src)).toEqual(want);
  });

  it("gives up on nothing useful", () => {
    expect(parsePartialJson("")).toBeUndefined();
    expect(parsePartialJson("[1,2")).toBeUndefined();
  });
});
