// The terminal WebSocket (api-contract §3): JSON text frames in ({type:
// "input"} and {type:"resize"}), raw PTY bytes out as binary frames. Input
// typed before the socket opens is queued and sent first; a dropped socket
// reconnects with backoff (the server keeps the PTY and replays what was
// missed); closes that mean "stop" (the shell exited, another window took
// the tab, no auth, no project) do not reconnect.

export type TermState =
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "reconnecting"; attempt: number; at: number }
  | { kind: "exited" }
  | { kind: "replaced" }
  | { kind: "auth" }
  | { kind: "gone" }
  | { kind: "failed"; reason: string };

export interface TermSocketOptions {
  /** The URL to connect to; called on every attempt (the token may have changed). */
  url: () => string;
  onData: (data: Uint8Array) => void;
  onState: (s: TermState) => void;
  backoffMs?: readonly number[];
  WebSocket?: typeof WebSocket;
}

export const TERM_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000] as const;
/** The reason that tells the server to end the PTY rather than keep it for a reattach. */
export const TAB_CLOSED = "tab_closed";

export class TermSocket {
  private ws: WebSocket | null = null;
  private queue: string[] = [];
  private size: { cols: number; rows: number } | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly opts: TermSocketOptions & { backoffMs: readonly number[] };

  constructor(opts: TermSocketOptions) {
    this.opts = { backoffMs: TERM_BACKOFF_MS, ...opts };
  }

  connect(): void {
    clearTimeout(this.timer);
    this.stopped = false;
    this.opts.onState({ kind: "connecting" });
    const WS = this.opts.WebSocket ?? WebSocket;
    const ws = new WS(this.opts.url());
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.opts.onState({ kind: "open" });
      if (this.size) ws.send(JSON.stringify({ type: "resize", ...this.size }));
      for (const data of this.queue) ws.send(JSON.stringify({ type: "input", data }));
      this.queue = [];
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      if (e.data instanceof ArrayBuffer) this.opts.onData(new Uint8Array(e.data));
      else if (typeof e.data === "string") this.opts.onData(new TextEncoder().encode(e.data));
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closed(e.code, e.reason);
    };
  }

  private closed(code: number, reason: string): void {
    if (this.stopped) return;
    if (code === 1000 && reason === "pty_exited") return this.opts.onState({ kind: "exited" });
    if (code === 4409) return this.opts.onState({ kind: "replaced" });
    if (code === 4401) return this.opts.onState({ kind: "auth" });
    if (code === 4404) return this.opts.onState({ kind: "gone" });
    if (code === 4500) return this.opts.onState({ kind: "failed", reason: reason || "terminal error" });
    // Anything else (a dropped connection, a proxy timeout, a server restart): try again.
    const delay = this.opts.backoffMs[Math.min(this.attempt, this.opts.backoffMs.length - 1)];
    this.attempt++;
    this.opts.onState({ kind: "reconnecting", attempt: this.attempt, at: Date.now() + delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** input sends keystrokes (queued until the socket is open). */
  input(data: string): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify({ type: "input", data }));
    else this.queue.push(data);
  }

  /** resize tells the PTY its size (now, and again on every reconnect). */
  resize(cols: number, rows: number): void {
    if (cols < 1 || rows < 1) return;
    if (this.size && this.size.cols === cols && this.size.rows === rows) return;
    this.size = { cols, rows };
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify({ type: "resize", cols, rows }));
  }

  /** close detaches (the PTY stays for a later reattach) or, with endPty, ends the shell. */
  close(endPty = false): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, endPty ? TAB_CLOSED : "detach");
  }
}

/** terminalUrl is the WebSocket URL of a terminal tab (the token goes in the query: browsers cannot set headers). */
export function terminalUrl(loc: { protocol: string; host: string }, projectId: string, tabId: string, token: string | null): string {
  const q = new URLSearchParams({ projectId, tabId });
  if (token) q.set("token", token);
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/api/v1/terminal?${q}`;
}
