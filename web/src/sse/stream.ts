// The one streaming client: GET /sessions/{id}/stream over fetch (EventSource
// cannot send the Authorization header). It resumes with Last-Event-ID, backs
// off 1,2,4,8,16,30 s between attempts, stops for good on 401/404/409/410, and
// says honestly where it is: connecting, live, catching up, or offline.

import { signal, type ReadonlySignal } from "@preact/signals";
import { SseParser } from "./frames";

export type StreamState = "connecting" | "live" | "catching-up" | "offline";

/** A stream event: the JSON of one data frame; `type` picks its meaning. */
export interface StreamEvent {
  type: string;
  [k: string]: unknown;
}

export interface StreamEnd {
  status: number;
  code: string;
}

export interface SessionStreamOptions {
  url: string;
  getToken: () => string | null;
  onEvent: (ev: StreamEvent, id: string | undefined) => void;
  /** The server refused the stream for good (401, 404, 409, 410). */
  onEnd?: (end: StreamEnd) => void;
  fetch?: typeof fetch;
  backoffMs?: readonly number[];
  /** After a resume, this long without bytes means the replay is over. */
  quietMs?: number;
}

export const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000] as const;
const TERMINAL = new Set([401, 404, 409, 410]);

export class SessionStream {
  private readonly _state = signal<StreamState>("connecting");
  private readonly _attempt = signal(0);
  private readonly _retryAt = signal<number | null>(null);
  private readonly _ended = signal<StreamEnd | null>(null);
  private lastId: string | undefined;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly opts: Required<Pick<SessionStreamOptions, "backoffMs" | "quietMs">> & SessionStreamOptions;

  constructor(opts: SessionStreamOptions) {
    this.opts = { backoffMs: BACKOFF_MS, quietMs: 150, ...opts };
  }

  get state(): ReadonlySignal<StreamState> {
    return this._state;
  }
  /** Failed attempts since the stream was last live. */
  get attempt(): ReadonlySignal<number> {
    return this._attempt;
  }
  /** When the next attempt starts (epoch ms), while offline. */
  get retryAt(): ReadonlySignal<number | null> {
    return this._retryAt;
  }
  get ended(): ReadonlySignal<StreamEnd | null> {
    return this._ended;
  }
  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** start runs the connect loop until stop() or a terminal status. */
  start(): Promise<void> {
    return this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.quietTimer);
    this.abort?.abort();
    this.wake?.();
  }

  /** reconnectNow skips the backoff wait (the browser came back online, the tab became visible). */
  reconnectNow(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let wasLive = false;
      try {
        wasLive = await this.connectOnce();
      } catch {
        // network error or aborted read: fall through to the backoff
      }
      if (this.stopped || this._ended.value) return;
      if (wasLive) this._attempt.value = 0;
      const delays = this.opts.backoffMs;
      const delay = delays[Math.min(this._attempt.value, delays.length - 1)];
      this._attempt.value++;
      this._state.value = "offline";
      this._retryAt.value = Date.now() + delay;
      await this.sleep(delay);
      this._retryAt.value = null;
    }
  }

  /** connectOnce reads one connection to its end; it returns whether it went live. */
  private async connectOnce(): Promise<boolean> {
    const resuming = this.lastId !== undefined;
    this._state.value = resuming ? "catching-up" : "connecting";
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    const token = this.opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.lastId !== undefined) headers["Last-Event-ID"] = this.lastId;
    this.abort = new AbortController();
    const doFetch = this.opts.fetch ?? fetch;
    const res = await doFetch(this.opts.url, { headers, signal: this.abort.signal, cache: "no-store" });
    if (!res.ok) {
      if (TERMINAL.has(res.status)) {
        let code = `http_${res.status}`;
        try {
          const body = (await res.json()) as { error?: string };
          if (typeof body.error === "string") code = body.error;
        } catch {
          // no JSON body
        }
        const end = { status: res.status, code };
        this._ended.value = end;
        this._state.value = "offline";
        this.opts.onEnd?.(end);
      }
      return false;
    }
    if (!res.body) return false;
    const parser = new SseParser();
    const reader = res.body.getReader();
    let live = false;
    const goLive = () => {
      clearTimeout(this.quietTimer);
      if (!live && !this.stopped) {
        live = true;
        this._attempt.value = 0;
        this._state.value = "live";
      }
    };
    // Nothing missed means no replay at all: quiet from the start is live too.
    if (resuming) this.quietTimer = setTimeout(goLive, this.opts.quietMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.stopped) break;
        for (const frame of parser.push(value)) {
          if (frame.kind === "comment") {
            // A comment is written live (heartbeat, flush padding): any replay is behind us.
            goLive();
            continue;
          }
          if (frame.id !== undefined) this.lastId = frame.id;
          let ev: StreamEvent;
          try {
            ev = JSON.parse(frame.data) as StreamEvent;
          } catch {
            continue; // a broken frame must not end the stream
          }
          if (typeof ev?.type !== "string") continue;
          // A fresh connection is live at its snapshot; a resume replays events
          // first, and is live once the burst goes quiet (or a snapshot says the
          // replay was not possible).
          if (ev.type === "snapshot" || !resuming) goLive();
          this.opts.onEvent(ev, frame.id);
        }
        if (resuming && !live) {
          clearTimeout(this.quietTimer);
          this.quietTimer = setTimeout(goLive, this.opts.quietMs);
        }
      }
    } finally {
      clearTimeout(this.quietTimer);
      reader.releaseLock?.();
    }
    return live;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

/** streamUrl builds the stream address of a session. */
export function streamUrl(base: string, sessionId: string): string {
  return `${base}/sessions/${encodeURIComponent(sessionId)}/stream`;
}
