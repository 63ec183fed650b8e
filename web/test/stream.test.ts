import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionStream, type StreamEvent } from "../src/sse/stream";

const enc = new TextEncoder();

interface Body {
  stream: ReadableStream<Uint8Array>;
  push(s: string): void;
  close(): void;
}

function body(): Body {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
  return { stream, push: (s) => ctrl.enqueue(enc.encode(s)), close: () => ctrl.close() };
}

function frame(id: string, ev: object): string {
  return `id: ${id}\ndata: ${JSON.stringify(ev)}\n\n`;
}

// fakeServer answers each fetch with the next prepared reply and records the request headers.
function fakeServer(replies: Array<() => Response | Promise<Response>>) {
  const calls: Record<string, string>[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ ...(init?.headers as Record<string, string>) });
    const next = replies.shift();
    if (!next) return new Promise<Response>(() => undefined); // hang: no more replies planned
    return next();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

function ok(b: Body): () => Response {
  return () => new Response(b.stream, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

describe("SessionStream", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is connecting until the snapshot, then live, and hands events over in order with their ids", async () => {
    const b = body();
    const srv = fakeServer([ok(b)]);
    const got: Array<[string, string | undefined]> = [];
    const s = new SessionStream({ url: "/s", getToken: () => "tok", fetch: srv.fetch, onEvent: (e, id) => got.push([e.type, id]) });
    void s.start();
    expect(s.state.value).toBe("connecting");
    await vi.waitFor(() => expect(srv.calls.length).toBe(1));
    expect(srv.calls[0].Authorization).toBe("Bearer tok");
    expect(srv.calls[0]["Last-Event-ID"]).toBeUndefined();
    b.push(frame("a:1", { type: "snapshot", messages: [] }));
    await vi.waitFor(() => expect(s.state.value).toBe("live"));
    b.push(frame("a:2", { type: "agent_start" }) + ": heartbeat\n\n" + frame("a:3", { type: "agent_end" }));
    await vi.waitFor(() => expect(got.length).toBe(3));
    expect(got).toEqual([
      ["snapshot", "a:1"],
      ["agent_start", "a:2"],
      ["agent_end", "a:3"],
    ]);
    expect(s.lastEventId).toBe("a:3");
    s.stop();
  });

  it("reconnects after the stream ends, sends Last-Event-ID, and is catching up until the replay goes quiet", async () => {
    const first = body();
    const second = body();
    const srv = fakeServer([ok(first), ok(second)]);
    const got: StreamEvent[] = [];
    const s = new SessionStream({ url: "/s", getToken: () => null, fetch: srv.fetch, onEvent: (e) => got.push(e), quietMs: 5000 });
    void s.start();
    first.push(frame("a:1", { type: "snapshot", messages: [] }) + frame("a:2", { type: "agent_start" }));
    await vi.waitFor(() => expect(got.length).toBe(2));
    first.close();
    await vi.waitFor(() => expect(s.state.value).toBe("offline"));
    expect(s.attempt.value).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(srv.calls.length).toBe(2));
    expect(srv.calls[1]["Last-Event-ID"]).toBe("a:2");
    expect(s.state.value).toBe("catching-up");
    second.push(frame("a:3", { type: "message_start", message: { role: "assistant", content: [] } }));
    await vi.waitFor(() => expect(got.length).toBe(3));
    expect(s.state.value).toBe("catching-up");
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.state.value).toBe("live");
    expect(s.attempt.value).toBe(0);
    s.stop();
  });

  it("goes live at once when the resume had to fall back to a snapshot", async () => {
    const first = body();
    const second = body();
    const srv = fakeServer([ok(first), ok(second)]);
    const s = new SessionStream({ url: "/s", getToken: () => null, fetch: srv.fetch, onEvent: () => undefined, quietMs: 10_000 });
    void s.start();
    first.push(frame("a:1", { type: "snapshot", messages: [] }));
    await vi.waitFor(() => expect(s.state.value).toBe("live"));
    first.close();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(srv.calls.length).toBe(2));
    second.push(frame("b:1", { type: "snapshot", messages: [] }));
    await vi.waitFor(() => expect(s.state.value).toBe("live"));
    s.stop();
  });

  it("backs off 1, 2, 4, 8, 16, 30, 30 seconds while the server is unreachable", async () => {
    const fail = () => Promise.reject(new TypeError("network down"));
    const srv = fakeServer(Array.from({ length: 7 }, () => fail));
    const s = new SessionStream({ url: "/s", getToken: () => null, fetch: srv.fetch, onEvent: () => undefined });
    const waits: number[] = [];
    const unsubscribe = s.retryAt.subscribe((at) => {
      if (at !== null) waits.push(at - Date.now());
    });
    void s.start();
    for (let i = 0; i < 7; i++) {
      await vi.waitFor(() => expect(waits.length).toBe(i + 1));
      expect(s.state.value).toBe("offline");
      await vi.advanceTimersByTimeAsync(waits[i]);
    }
    unsubscribe();
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    s.stop();
  });

  it("retries a 500 but ends for good on 401, 404, 409 and 410", async () => {
    for (const status of [401, 404, 409, 410]) {
      const srv = fakeServer([() => new Response(JSON.stringify({ error: `code_${status}` }), { status })]);
      const ends: unknown[] = [];
      const s = new SessionStream({ url: "/s", getToken: () => null, fetch: srv.fetch, onEvent: () => undefined, onEnd: (e) => ends.push(e) });
      await s.start();
      expect(ends).toEqual([{ status, code: `code_${status}` }]);
      expect(s.ended.value).toEqual({ status, code: `code_${status}` });
      expect(srv.calls.length).toBe(1);
    }
    const b = body();
    const srv = fakeServer([() => new Response("oops", { status: 500 }), ok(b)]);
    const s = new SessionStream({ url: "/s", getToken: () => null, fetch: srv.fetch, onEvent: () => undefined });
    void s.start();
    await vi.waitFor(() => expect(s.state.value).toBe("offline"));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(srv.calls.length).toBe(2));
    s.stop();
  });

  it("reconnectNow skips the wait", async () => {
    const b = body();
    const srv = fakeServer([() => Promise.reject(new TypeError("down")), ok(b)]);
    const s = new SessionStream({ url: "/s", getToken: () => null, fetch: srv.fetch, onEvent: () => undefined });
    void s.start();
    await vi.waitFor(() => expect(s.state.value).toBe("offline"));
    s.reconnectNow();
    await vi.waitFor(() => expect(srv.calls.length).toBe(2));
    s.stop();
  });
});
