import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { AgentMessage, ContentBlock, SessionContext } from "../api/types";
import { useApp } from "../app/context";
import { Modal } from "../components/common/Modal";
import { money } from "../components/common/time";
import { formatTokens } from "../stores/chat";
import { RefreshIcon } from "./icons";
import "./workspace.css";

/** Characters per token for the estimates (the reference's rule of thumb). */
const CHARS_PER_TOKEN = 3;

export type Category = "user" | "assistant" | "thinking" | "toolCalls" | "toolResults" | "images";

export const CATEGORY_LABELS: Record<Category, string> = {
  user: "User prompts",
  assistant: "Assistant text",
  thinking: "Thinking",
  toolCalls: "Tool calls",
  toolResults: "Tool results",
  images: "Images",
};

const CATEGORY_COLORS: Record<Category, string> = {
  user: "var(--accent)",
  assistant: "var(--success)",
  thinking: "var(--syn-keyword)",
  toolCalls: "var(--warning)",
  toolResults: "var(--info)",
  images: "var(--danger)",
};

/** A rough flat cost of one image in the context. */
const IMAGE_TOKENS = 1200;

function str(b: ContentBlock, key: string): string {
  const v = (b as Record<string, unknown>)[key];
  return typeof v === "string" ? v : "";
}

/** estimate splits a transcript into estimated tokens per kind of content. */
export function estimate(messages: AgentMessage[]): Record<Category, number> {
  const out: Record<Category, number> = { user: 0, assistant: 0, thinking: 0, toolCalls: 0, toolResults: 0, images: 0 };
  const add = (c: Category, chars: number) => (out[c] += Math.ceil(chars / CHARS_PER_TOKEN));
  for (const m of messages) {
    const blocks: ContentBlock[] = typeof (m as { content?: unknown }).content === "string" ? [{ type: "text", text: (m as { content: string }).content }] : (((m as { content?: unknown }).content as ContentBlock[]) ?? []);
    for (const b of blocks) {
      if (b.type === "image") out.images += IMAGE_TOKENS;
      else if (b.type === "thinking") add("thinking", str(b, "thinking").length);
      else if (b.type === "toolCall") add("toolCalls", JSON.stringify(b.arguments ?? {}).length + str(b, "name").length);
      else if (b.type === "text") add(m.role === "user" ? "user" : m.role === "assistant" ? "assistant" : "toolResults", str(b, "text").length);
    }
    if (m.role === "bashExecution") add("toolResults", JSON.stringify(m).length);
  }
  return out;
}

function preview(m: AgentMessage, thinking: boolean): string {
  const c = (m as { content?: unknown }).content;
  if (typeof c === "string") return c;
  if (!Array.isArray(c)) return JSON.stringify(m).slice(0, 300);
  return (c as ContentBlock[])
    .map((b) =>
      b.type === "text"
        ? str(b, "text")
        : b.type === "thinking"
          ? thinking
            ? `(thinking) ${str(b, "thinking")}`
            : ""
          : b.type === "toolCall"
            ? `→ ${str(b, "name")}(${JSON.stringify(b.arguments ?? {}).slice(0, 120)})`
            : `[${b.type}]`,
    )
    .filter(Boolean)
    .join(" ")
    .slice(0, 400);
}

/** ContextPanel shows what the agent's context holds: window use, an estimate by kind, totals, turns and the messages. */
export function ContextPanel() {
  const { api, ui, chat } = useApp();
  const sessionId = ui.sessionId.value;
  const ctx = useSignal<SessionContext | null>(null);
  const error = useSignal<string | null>(null);
  const filter = useSignal("");
  const thinking = useSignal(false);
  const turnsOpen = useSignal(false);
  const raw = useSignal<AgentMessage | null>(null);
  const streaming = chat.isStreaming.value;
  const compacting = chat.compacting.value;

  async function load(): Promise<void> {
    if (!sessionId) return;
    try {
      ctx.value = await api.context(sessionId);
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }
  // After each run and each compaction (never mid-stream), and when the session changes.
  useEffect(() => {
    if (!streaming && !compacting) void load();
  }, [sessionId, streaming, compacting]);

  if (!sessionId) return <p class="empty-note">Open a session to inspect its context.</p>;
  const c = ctx.value;
  if (!c)
    return error.value ? (
      <p class="form-error ws-note" role="alert">
        {error.value}
      </p>
    ) : (
      <p class="ws-loading">Loading…</p>
    );
  const u = c.contextUsage;
  const pct = u.percent ?? (u.tokens !== undefined && u.contextWindow ? (u.tokens / u.contextWindow) * 100 : undefined);
  const parts = estimate(c.messages);
  const estTotal = Object.values(parts).reduce((a, b) => a + b, 0);
  const q = filter.value.trim().toLowerCase();
  const rows = c.messages.map((m, i) => ({ m, i, text: preview(m, thinking.value) })).filter((r) => !q || r.text.toLowerCase().includes(q) || r.m.role.toLowerCase().includes(q));
  const last = c.turns[c.turns.length - 1];
  return (
    <div class="context-panel">
      <div class="ws-toolbar">
        <strong>Context</strong>
        <span class="ws-spacer" />
        <button type="button" class="icon-btn" aria-label="Refresh" title="Refresh" onClick={() => void load()}>
          <RefreshIcon />
        </button>
      </div>
      <section class="git-section ctx-block" aria-label="Context window">
        <div class="git-row">
          <span>Context window</span>
          <span class="ws-spacer" />
          <span>
            {u.tokens !== undefined ? formatTokens(u.tokens) : "?"} / {formatTokens(u.contextWindow)}
            {pct !== undefined && ` (${pct.toFixed(1)}%)`}
          </span>
        </div>
        {pct !== undefined && (
          <div class="ctx-bar" role="meter" aria-label="Context window used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
            <span style={{ width: `${Math.min(100, pct)}%`, background: pct >= 90 ? "var(--danger)" : pct >= 75 ? "var(--warning)" : "var(--accent)" }} />
          </div>
        )}
        {estTotal > 0 && (
          <>
            <div class="ctx-bar ctx-stack" aria-hidden="true">
              {(Object.keys(parts) as Category[]).map((k) => parts[k] > 0 && <span key={k} style={{ width: `${(parts[k] / estTotal) * 100}%`, background: CATEGORY_COLORS[k] }} />)}
            </div>
            <ul class="ctx-legend" aria-label="What the messages hold (estimated)">
              {(Object.keys(parts) as Category[]).map(
                (k) =>
                  parts[k] > 0 && (
                    <li key={k}>
                      <span class="ctx-dot" style={{ background: CATEGORY_COLORS[k] }} />
                      {CATEGORY_LABELS[k]} ~{formatTokens(parts[k])} ({Math.round((parts[k] / estTotal) * 100)}%)
                    </li>
                  ),
              )}
            </ul>
          </>
        )}
        {last && (
          <p class="muted ctx-line">
            Last turn: {formatTokens(last.inputTokens)} in · {formatTokens(last.outputTokens)} out · {money(last.cost)}
          </p>
        )}
        <p class="muted ctx-line">
          Session: {formatTokens(c.totalInputTokens)} in · {formatTokens(c.totalCacheReadTokens)} cache read · {formatTokens(c.totalCacheWriteTokens)} cache write · {formatTokens(c.totalOutputTokens)} out · {money(c.totalCost)}
        </p>
      </section>
      {c.turns.length > 0 && (
        <section class="git-section" aria-label="Turns">
          <button type="button" class="git-section-head" aria-expanded={turnsOpen.value} onClick={() => (turnsOpen.value = !turnsOpen.value)}>
            <span aria-hidden="true">{turnsOpen.value ? "▾" : "▸"}</span> Per turn ({c.turns.length})
          </button>
          {turnsOpen.value && (
            <table class="ctx-turns">
              <thead>
                <tr>
                  <th>#</th>
                  <th>model</th>
                  <th>in</th>
                  <th>out</th>
                  <th>cost</th>
                </tr>
              </thead>
              <tbody>
                {c.turns.map((t) => (
                  <tr key={t.index}>
                    <td>{t.index + 1}</td>
                    <td>{t.model}</td>
                    <td>{formatTokens(t.inputTokens)}</td>
                    <td>{formatTokens(t.outputTokens)}</td>
                    <td>{money(t.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <section class="git-section" aria-label="Messages">
        <div class="git-row">
          <strong>Messages ({c.messages.length})</strong>
        </div>
        <div class="git-row">
          <input type="search" placeholder="Filter" aria-label="Filter messages" value={filter.value} onInput={(e) => (filter.value = e.currentTarget.value)} />
          <label class="check">
            <input type="checkbox" checked={thinking.value} onChange={(e) => (thinking.value = e.currentTarget.checked)} />
            thinking
          </label>
        </div>
        <ol class="ctx-messages">
          {rows.map(({ m, i, text }) => (
            <li key={i} class="ctx-message">
              <div class="git-row">
                <span class={`pill ctx-role-${m.role}`}>{m.role}</span>
                <span class="muted">~{formatTokens(Math.ceil(JSON.stringify(m).length / CHARS_PER_TOKEN))}</span>
                <span class="ws-spacer" />
                <button type="button" class="icon-btn" aria-label={`Raw JSON of message ${i + 1}`} title="Raw JSON" onClick={() => (raw.value = m)}>
                  {"</>"}
                </button>
              </div>
              <p class="ctx-preview">{text}</p>
            </li>
          ))}
        </ol>
      </section>
      {raw.value && (
        <Modal title="Message JSON" large onClose={() => (raw.value = null)}>
          <pre class="ctx-raw">{JSON.stringify(raw.value, null, 2)}</pre>
        </Modal>
      )}
    </div>
  );
}
