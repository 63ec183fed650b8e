import { useSignal } from "@preact/signals";
import { createContext } from "preact";
import { useContext, useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import type { ContentBlock, ImageBlock, ToolCallBlock, ToolResult, ToolResultMessage } from "../../api/types";
import { copyText } from "../../markdown/enhance";
import { duration } from "../common/time";
import { DiffView, diffStats, parseToolDiff } from "./DiffView";
import { ToolCardBody, toolPreview } from "../../tools/cards";

type Status = "generating" | "running" | "done" | "error" | "no-result";

/** openFile asks the editor (when present) to open a path; the workspace work listens for it. */
export function openFile(path: string, line?: number): void {
  window.dispatchEvent(new CustomEvent("pi-forge:open-file", { detail: { path, line } }));
}

/** Tool results of messages shown outside the live transcript (a compaction card's archive). */
export const ArchivedResults = createContext<Map<string, ToolResultMessage> | null>(null);

/**
 * ToolCard shows one tool call with its result: a header (tool, what it acts
 * on, state, time) and a body per tool. It follows the call's live run, so
 * bash output streams in while the command runs.
 */
export function ToolCard({ call }: { call: ToolCallBlock }) {
  const { chat } = useApp();
  const archived = useContext(ArchivedResults);
  const committed = archived ? archived.get(call.id) : chat.resultsById.value.get(call.id);
  const run = chat.toolRun(call.id).value;
  const result: ToolResult | undefined = committed ? { content: committed.content, details: committed.details } : (run?.result ?? run?.partial);
  const done = !!committed || !!run?.result;
  const isError = committed?.isError ?? run?.isError ?? false;
  const status: Status =
    call.partialJson !== undefined ? "generating" : done ? (isError ? "error" : "done") : run || chat.isStreaming.value ? "running" : "no-result";
  const args = (call.arguments ?? {}) as Record<string, unknown>;
  const kind = TOOL_KINDS[call.name] ?? "generic";
  const openByDefault = kind === "bash" || kind === "edit" || status === "error" || status === "generating";
  const open = useSignal<boolean | null>(null);
  const isOpen = open.value ?? openByDefault;
  const text = resultText(result);
  const diff = kind === "edit" ? diffOf(result) : null;
  const stats = diff ? diffStats(diff) : null;

  return (
    <div class={`tool-card tool-${kind} status-${status}`}>
      <button type="button" class="tool-head" aria-expanded={isOpen} onClick={() => (open.value = !isOpen)}>
        <span class="tool-arrow" aria-hidden="true">
          {isOpen ? "▾" : "▸"}
        </span>
        <span class="tool-name">{call.name || "tool"}</span>
        <span class="tool-preview">{preview(call.name, args)}</span>
        {stats && (
          <span class="diff-stats">
            <span class="adds">+{stats.adds}</span> <span class="dels">−{stats.dels}</span>
          </span>
        )}
        {kind === "write" && typeof args.content === "string" && <span class="muted">{lineCount(args.content)} lines</span>}
        <StatusPill status={status} startedAt={run?.startedAt} endedAt={run?.endedAt} />
      </button>
      {isOpen && (
        <div class="tool-body">
          <ToolBody kind={kind} call={call} args={args} status={status} text={text} result={result} diff={diff} />
        </div>
      )}
    </div>
  );
}

const TOOL_KINDS: Record<string, "bash" | "edit" | "write" | "read" | "search"> = {
  bash: "bash",
  edit: "edit",
  write: "write",
  read: "read",
  grep: "search",
  find: "search",
  ls: "search",
};

function ToolBody(p: {
  kind: string;
  call: ToolCallBlock;
  args: Record<string, unknown>;
  status: Status;
  text: string;
  result: ToolResult | undefined;
  diff: ReturnType<typeof parseToolDiff> | null;
}) {
  const images = (p.result?.content ?? []).filter((b): b is ImageBlock => b.type === "image");
  const path = typeof p.args.path === "string" ? p.args.path : undefined;
  // The process, todo and ask_user_question tools have bodies of their own (tools/cards).
  const special = ToolCardBody({ name: p.call.name, args: p.args, result: p.result, status: p.status });
  if (special)
    return (
      <>
        {special}
        <Disclosure label="Output">
          <CopyablePre text={p.text} />
        </Disclosure>
        <Disclosure label="Input">
          <CopyablePre text={p.call.partialJson ?? JSON.stringify(p.args, null, 2)} />
        </Disclosure>
      </>
    );
  return (
    <>
      {path && (p.kind === "read" || p.kind === "write" || p.kind === "edit") && (
        <button type="button" class="path-link" onClick={() => openFile(path, typeof p.args.offset === "number" ? p.args.offset : undefined)}>
          {path}
        </button>
      )}
      {p.kind === "bash" && typeof p.args.command === "string" && <pre class="bash-command">$ {p.args.command}</pre>}
      {p.kind === "write" && typeof p.args.content === "string" && <Output label="Content" text={p.args.content} />}
      {p.diff && p.diff.length > 0 ? (
        <DiffView lines={p.diff} />
      ) : (
        (p.text || p.status === "done") && <Output label="Output" text={p.text} follow={p.status === "running"} />
      )}
      {images.map((img, i) => (
        <img key={i} class="tool-image" src={`data:${img.mimeType};base64,${img.data}`} alt={`Image from ${p.call.name}`} />
      ))}
      {p.status === "running" && !p.text && <p class="muted">Running…</p>}
      {p.status === "no-result" && <p class="muted">No result was recorded (the run was interrupted).</p>}
      <Disclosure label="Input">
        <CopyablePre text={p.call.partialJson ?? JSON.stringify(p.args, null, 2)} />
      </Disclosure>
    </>
  );
}

function Output({ label, text, follow }: { label: string; text: string; follow?: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    // A live tail: keep the newest output in view while the command runs.
    if (follow && ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [text, follow]);
  return (
    <div class="tool-output-wrap">
      <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />
      <pre class="tool-output" ref={ref} aria-label={label} tabIndex={0}>
        {text || <span class="muted">(empty)</span>}
      </pre>
    </div>
  );
}

function Disclosure({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <details class="disclosure">
      <summary>{label}</summary>
      {children}
    </details>
  );
}

function CopyablePre({ text }: { text: string }) {
  return (
    <div class="tool-output-wrap">
      <CopyButton text={text} label="Copy input" />
      <pre class="tool-output">{text}</pre>
    </div>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const state = useSignal<"idle" | "ok" | "fail">("idle");
  return (
    <button
      type="button"
      class="copy-btn"
      aria-label={label}
      title={label}
      onClick={async (e) => {
        e.stopPropagation();
        state.value = (await copyText(text)) ? "ok" : "fail";
        setTimeout(() => (state.value = "idle"), 1200);
      }}
    >
      {state.value === "ok" ? "Copied" : state.value === "fail" ? "Failed" : "Copy"}
    </button>
  );
}

function StatusPill({ status, startedAt, endedAt }: { status: Status; startedAt?: number; endedAt?: number }) {
  if (status === "generating") return <span class="pill pill-info">writing call…</span>;
  if (status === "running") return <Elapsed since={startedAt} />;
  if (status === "error") return <span class="pill pill-error">error</span>;
  if (status === "no-result") return <span class="pill">no result</span>;
  return startedAt && endedAt ? <span class="muted tool-time">{duration(endedAt - startedAt)}</span> : null;
}

function Elapsed({ since }: { since?: number }) {
  const now = useSignal(Date.now());
  useEffect(() => {
    const t = setInterval(() => (now.value = Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <span class="pill pill-running">
      running{since ? ` ${Math.max(0, Math.floor((now.value - since) / 1000))}s` : "…"}
    </span>
  );
}

/** preview is the one-line summary of what a call acts on. */
export function preview(name: string, a: Record<string, unknown>): string {
  const s = (v: unknown) => (typeof v === "string" ? v : "");
  const own = toolPreview(name, a);
  if (own !== undefined) return own;
  switch (name) {
    case "bash":
      return firstLine(s(a.command));
    case "read": {
      const range = typeof a.offset === "number" ? `:${a.offset}${typeof a.limit === "number" ? `+${a.limit}` : ""}` : "";
      return s(a.path) + range;
    }
    case "write":
    case "edit":
    case "ls":
      return s(a.path);
    case "grep":
      return `${s(a.pattern)}${a.path ? ` in ${s(a.path)}` : ""}${a.glob ? ` (${s(a.glob)})` : ""}`;
    case "find":
      return `${s(a.pattern)}${a.path ? ` in ${s(a.path)}` : ""}`;
    default: {
      const first = Object.values(a).find((v) => typeof v === "string");
      return first ? firstLine(first as string) : "";
    }
  }
}

function firstLine(s: string): string {
  const line = s.split("\n")[0];
  return line.length > 120 ? `${line.slice(0, 120)}…` : line + (s.includes("\n") ? " …" : "");
}

function lineCount(s: string): number {
  return s === "" ? 0 : s.split("\n").length;
}

// ANSI colour codes in command output are removed; a colour renderer can come later.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function resultText(r: ToolResult | undefined): string {
  if (!r?.content) return "";
  return r.content
    .filter((b: ContentBlock) => b.type === "text")
    .map((b) => String((b as { text?: string }).text ?? ""))
    .join("\n")
    .replace(ANSI, "");
}

function diffOf(r: ToolResult | undefined) {
  const d = (r?.details as { diff?: unknown } | undefined)?.diff;
  return typeof d === "string" && d ? parseToolDiff(d) : null;
}
