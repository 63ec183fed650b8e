import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../app/context";
import { duration } from "../components/common/time";
import { sortProcesses } from "./reducer";
import { isLive, type ProcessInfo, type ProcessOutput } from "./types";

/** Output views refetch at most this often while a process writes. */
const REFRESH_MS = 500;

/**
 * ProcessesPanel lists the session's background processes (running first),
 * with each one's output tails, stdin, Kill and full logs, the log-watch
 * alerts and "Clear finished". compact is the phone popover.
 */
export function ProcessesPanel({ compact }: { compact?: boolean }) {
  const { tools, ui } = useApp();
  const list = sortProcesses(tools.processes.value);
  const watches = tools.watches.value;
  const finished = list.some((p) => !isLive(p.status));
  const open = useSignal<string | null>(null);
  const now = useNow(list.some((p) => isLive(p.status)));

  async function clear() {
    try {
      await tools.clearFinished();
    } catch (e) {
      ui.toast((e as Error).message);
    }
  }

  return (
    <div class={`proc-panel${compact ? " compact" : ""}`}>
      {watches.length > 0 && (
        <section class="proc-alerts" aria-label="Log-watch alerts">
          <div class="proc-alerts-head">
            <strong>Watch alerts</strong>
            <button type="button" class="btn btn-small" onClick={tools.dismissWatches}>
              Clear
            </button>
          </div>
          <ul>
            {watches.slice(0, 10).map((w, i) => (
              <li key={i}>
                <strong>{w.processName}</strong> <code>/{w.watch.pattern}/</code> <span class="muted">{w.source}:</span> {w.line}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div class="proc-toolbar">
        <span class="muted">{tools.running.value} running</span>
        <button type="button" class="btn btn-small" disabled={!finished} onClick={() => void clear()}>
          Clear finished
        </button>
      </div>
      {list.length === 0 ? (
        <p class="empty-note">No background processes. The agent starts them with its process tool.</p>
      ) : (
        <ul class="proc-list">
          {list.map((p) => (
            <ProcessRow key={p.id} p={p} now={now} open={open.value === p.id} onToggle={() => (open.value = open.value === p.id ? null : p.id)} />
          ))}
        </ul>
      )}
      <p class="proc-footer muted">In-memory only — processes don't survive a server restart.</p>
    </div>
  );
}

/** useNow ticks every second while something runs (for durations). */
function useNow(ticking: boolean): number {
  const now = useSignal(Date.now());
  useEffect(() => {
    if (!ticking) return;
    const t = setInterval(() => (now.value = Date.now()), 1000);
    return () => clearInterval(t);
  }, [ticking]);
  return now.value;
}

const STATUS_LABEL: Record<string, string> = {
  running: "running",
  terminating: "stopping",
  terminate_timeout: "not stopping",
  exited: "exited",
  killed: "killed",
};

function ProcessRow({ p, now, open, onToggle }: { p: ProcessInfo; now: number; open: boolean; onToggle: () => void }) {
  const live = isLive(p.status);
  const took = (p.endTime ?? now) - p.startTime;
  const tone = live ? "running" : p.success ? "ok" : "error";
  return (
    <li class={`proc-row proc-${p.status}`}>
      <button type="button" class="proc-head" aria-expanded={open} onClick={onToggle}>
        <span class={`proc-dot proc-${tone}`} aria-hidden="true" />
        <span class="proc-name">{p.name}</span>
        <span class="proc-cmd muted" title={p.command}>
          {p.command}
        </span>
        <span class="proc-meta muted">
          {STATUS_LABEL[p.status] ?? p.status}
          {!live && p.exitCode !== null ? ` ${p.exitCode}` : ""} · {duration(Math.max(0, took))}
        </span>
      </button>
      {open && <ProcessDetail p={p} />}
    </li>
  );
}

function ProcessDetail({ p }: { p: ProcessInfo }) {
  const { tools, ui } = useApp();
  const out = useSignal<ProcessOutput | null>(null);
  const input = useSignal("");
  const closeStdin = useSignal(false);
  const tick = tools.state.value.outputTick[p.id] ?? 0;
  const live = isLive(p.status);
  const last = useRef(0);

  // Fetch on open, then on new output (at most every REFRESH_MS) and at the end.
  useEffect(() => {
    let alive = true;
    const wait = Math.max(0, last.current + REFRESH_MS - Date.now());
    const t = setTimeout(() => {
      last.current = Date.now();
      tools.output(p.id).then(
        (o) => alive && (out.value = o),
        () => undefined,
      );
    }, wait);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [p.id, tick, p.status]);

  async function act(f: () => Promise<unknown>) {
    try {
      await f();
    } catch (e) {
      ui.toast((e as Error).message);
    }
  }
  async function send(e: Event) {
    e.preventDefault();
    const text = input.value;
    await act(async () => {
      const r = await tools.stdin(p.id, text.endsWith("\n") || !text ? text : `${text}\n`, closeStdin.value);
      if (!r.ok) ui.toast(`Not sent: ${(r.reason ?? "error").replace(/_/g, " ")}.`);
      else input.value = "";
    });
  }

  return (
    <div class="proc-detail">
      <p class="proc-cmd-full">
        <code>{p.command}</code> <span class="muted">pid {p.pid}</span>
      </p>
      <Tail label="stdout" lines={out.value?.stdout} />
      {(out.value?.stderr.length ?? 0) > 0 && <Tail label="stderr" lines={out.value?.stderr} />}
      <div class="proc-actions">
        {live && (
          <button type="button" class="btn btn-small btn-danger" disabled={p.status !== "running"} onClick={() => void act(() => tools.kill(p.id))}>
            Kill
          </button>
        )}
        <button type="button" class="btn btn-small" onClick={() => void act(() => tools.openLog(p.id, "stdout"))}>
          Full log
        </button>
        <button type="button" class="btn btn-small" onClick={() => void act(() => tools.openLog(p.id, "stderr"))}>
          Full stderr
        </button>
      </div>
      {live && (
        <form class="proc-stdin" onSubmit={(e) => void send(e)}>
          <label class="sr-only" for={`stdin-${p.id}`}>
            Input for {p.name}
          </label>
          <input id={`stdin-${p.id}`} class="tool-input" placeholder="Send a line to stdin…" value={input.value} onInput={(e) => (input.value = (e.currentTarget as HTMLInputElement).value)} />
          <label class="proc-eof">
            <input type="checkbox" checked={closeStdin.value} onChange={(e) => (closeStdin.value = (e.currentTarget as HTMLInputElement).checked)} /> then close
          </label>
          <button type="submit" class="btn btn-small">
            Send
          </button>
        </form>
      )}
    </div>
  );
}

function Tail({ label, lines }: { label: string; lines?: string[] }) {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [lines]);
  return (
    <div class="proc-tail">
      <span class="muted">{label}</span>
      <pre ref={ref} class="tool-output" tabIndex={0} aria-label={label}>
        {lines === undefined ? "…" : lines.length === 0 ? <span class="muted">(empty)</span> : lines.join("\n")}
      </pre>
    </div>
  );
}
