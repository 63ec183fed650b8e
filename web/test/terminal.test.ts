import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TAB_CLOSED, TermSocket, terminalUrl, type TermState } from "../src/terminal/socket";
import { loadTabs, newTabId, nextTitle, saveTabs } from "../src/terminal/tabs";

/** FakeWS stands in for the browser's WebSocket. */
class FakeWS {
  static all: FakeWS[] = [];
  readyState = 0;
  binaryType = "blob";
  sent: string[] = [];
  closedWith: [number, string] | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(code: number, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function socket(states: TermState[], data: Uint8Array[] = []) {
  let n = 0;
  return new TermSocket({
    url: () => `ws://h/api/v1/terminal?try=${++n}`,
    onData: (d) => data.push(d),
    onState: (s) => states.push(s),
    backoffMs: [10, 20],
    WebSocket: FakeWS as unknown as typeof WebSocket,
  });
}

describe("terminal socket", () => {
  beforeEach(() => {
    FakeWS.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("sends the size first and input typed before the socket opened, in order", () => {
    const states: TermState[] = [];
    const s = socket(states);
    s.resize(120, 40);
    s.connect();
    s.input("ls");
    s.input("\r");
    const ws = FakeWS.all[0];
    expect(ws.sent).toEqual([]);
    ws.open();
    expect(ws.sent.map((x) => JSON.parse(x))).toEqual([
      { type: "resize", cols: 120, rows: 40 },
      { type: "input", data: "ls" },
      { type: "input", data: "\r" },
    ]);
    s.input("x");
    s.resize(120, 40); // unchanged: not sent again
    s.resize(80, 24);
    expect(ws.sent.slice(3).map((x) => JSON.parse(x))).toEqual([
      { type: "input", data: "x" },
      { type: "resize", cols: 80, rows: 24 },
    ]);
    expect(ws.binaryType).toBe("arraybuffer");
    expect(states.map((x) => x.kind)).toEqual(["connecting", "open"]);
  });

  it("passes binary output through", () => {
    const data: Uint8Array[] = [];
    const s = socket([], data);
    s.connect();
    FakeWS.all[0].open();
    FakeWS.all[0].onmessage?.({ data: new Uint8Array([104, 105]).buffer });
    expect([...data[0]]).toEqual([104, 105]);
  });

  it("reconnects after a drop with backoff and sends the size again", () => {
    const states: TermState[] = [];
    const s = socket(states);
    s.resize(100, 30);
    s.connect();
    FakeWS.all[0].open();
    FakeWS.all[0].drop(1006);
    expect(states.at(-1)).toMatchObject({ kind: "reconnecting", attempt: 1 });
    vi.advanceTimersByTime(10);
    expect(FakeWS.all).toHaveLength(2);
    expect(FakeWS.all[1].url).toContain("try=2");
    FakeWS.all[1].drop(1006);
    expect(states.at(-1)).toMatchObject({ kind: "reconnecting", attempt: 2 });
    vi.advanceTimersByTime(19);
    expect(FakeWS.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    FakeWS.all[2].open();
    expect(JSON.parse(FakeWS.all[2].sent[0])).toEqual({ type: "resize", cols: 100, rows: 30 });
  });

  it.each([
    [1000, "pty_exited", "exited"],
    [4409, "replaced_by_new_attach", "replaced"],
    [4401, "auth_required", "auth"],
    [4404, "project_not_found", "gone"],
    [4500, "spawn_failed", "failed"],
  ])("does not reconnect after close %i %s", (code, reason, kind) => {
    const states: TermState[] = [];
    const s = socket(states);
    s.connect();
    FakeWS.all[0].open();
    FakeWS.all[0].drop(code, reason);
    vi.advanceTimersByTime(1000);
    expect(FakeWS.all).toHaveLength(1);
    expect(states.at(-1)?.kind).toBe(kind);
  });

  it("closes with tab_closed only when the tab is closed", () => {
    const a = socket([]);
    a.connect();
    FakeWS.all[0].open();
    a.close(true);
    expect(FakeWS.all[0].closedWith).toEqual([1000, TAB_CLOSED]);
    const b = socket([]);
    b.connect();
    FakeWS.all[1].open();
    b.close();
    expect(FakeWS.all[1].closedWith?.[1]).not.toBe(TAB_CLOSED);
  });

  it("builds the URL with the token in the query", () => {
    expect(terminalUrl({ protocol: "https:", host: "x.test" }, "p 1", "t-1", "tok")).toBe("wss://x.test/api/v1/terminal?projectId=p+1&tabId=t-1&token=tok");
    expect(terminalUrl({ protocol: "http:", host: "h:3000" }, "p", "t", null)).toBe("ws://h:3000/api/v1/terminal?projectId=p&tabId=t");
  });
});

describe("terminal tabs", () => {
  it("are kept per project and survive a reload", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } as Storage;
    const tabs = [
      { id: newTabId(), title: "Terminal 1" },
      { id: newTabId(), title: "Terminal 2" },
    ];
    saveTabs("p1", { tabs, active: tabs[1].id }, storage);
    expect(loadTabs("p1", storage)).toEqual({ tabs, active: tabs[1].id });
    expect(loadTabs("p2", storage)).toEqual({ tabs: [], active: null });
    store.set("pi-forge/terminals/p3", "{broken");
    expect(loadTabs("p3", storage)).toEqual({ tabs: [], active: null });
  });
  it("get short unique ids and the lowest free number", () => {
    const ids = new Set(Array.from({ length: 100 }, newTabId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(128);
    expect(nextTitle([{ id: "a", title: "Terminal 1" }, { id: "b", title: "Terminal 3" }])).toBe("Terminal 2");
  });
});
