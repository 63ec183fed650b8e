import { useSignal } from "@preact/signals";
import type { AgentMessage, AssistantMessage, Compaction, ToolResultMessage } from "../../api/types";
import { formatTokens } from "../../stores/chat";
import { fullTime } from "../common/time";
import { Markdown } from "./Markdown";
import { MessageRow } from "./Messages";
import { ArchivedResults } from "./ToolCard";

const PAGE = 100;

/**
 * CompactionCard marks where the context was compacted: how many messages
 * were folded into the summary, and how big the context was. Opened, it shows
 * the summary and the archived messages, rendered as in the chat, a page at a
 * time; it can be closed from its top or its bottom.
 */
export function CompactionCard({ compaction }: { compaction: Compaction }) {
  const open = useSignal(false);
  const shown = useSignal(PAGE);
  const archived = compaction.archivedMessages ?? [];
  const at = typeof compaction.timestamp === "number" ? compaction.timestamp : Date.parse(compaction.timestamp);
  const head = (
    <button type="button" class="meta-head compaction-head" aria-expanded={open.value} onClick={() => (open.value = !open.value)}>
      <span aria-hidden="true">{open.value ? "▾" : "▸"}</span> Compacted {archived.length} message{archived.length === 1 ? "" : "s"}
      {compaction.tokensBefore ? <span class="muted"> · was {formatTokens(compaction.tokensBefore)} tokens</span> : null}
      {Number.isFinite(at) && <span class="muted"> · {fullTime(at)}</span>}
      {!open.value && compaction.summary && <span class="muted meta-first"> — {compaction.summary.split("\n")[0].slice(0, 100)}</span>}
    </button>
  );
  if (!open.value) return <article class="msg msg-meta-card compaction-card">{head}</article>;
  const visible = archived.slice(0, shown.value);
  const called = callIds(archived);
  return (
    <article class="msg msg-meta-card compaction-card open">
      {head}
      <section class="compaction-summary" aria-label="Summary">
        <h3>Summary</h3>
        <Markdown text={compaction.summary ?? ""} />
      </section>
      <ArchivedResults.Provider value={resultsOf(archived)}>
        <div class="compaction-archive" aria-label="Archived messages">
          {visible.map((m, i) => (m.role === "toolResult" && called.has((m as ToolResultMessage).toolCallId) ? null : <MessageRow key={i} msg={m} />))}
        </div>
      </ArchivedResults.Provider>
      {archived.length > shown.value && (
        <button type="button" class="btn btn-small" onClick={() => (shown.value += PAGE)}>
          Show {Math.min(PAGE, archived.length - shown.value)} more
        </button>
      )}
      <button type="button" class="btn btn-small compaction-close" onClick={() => (open.value = false)}>
        ▴ Close the archive
      </button>
    </article>
  );
}

function resultsOf(list: AgentMessage[]): Map<string, ToolResultMessage> {
  const m = new Map<string, ToolResultMessage>();
  for (const msg of list) if (msg.role === "toolResult") m.set((msg as ToolResultMessage).toolCallId, msg as ToolResultMessage);
  return m;
}

function callIds(list: AgentMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of list) if (m.role === "assistant") for (const b of (m as AssistantMessage).content ?? []) if (b.type === "toolCall") ids.add((b as { id: string }).id);
  return ids;
}
