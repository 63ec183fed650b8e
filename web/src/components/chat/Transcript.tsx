import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../../app/context";
import type { AgentMessage, AssistantMessage, Compaction, ToolResultMessage } from "../../api/types";
import { onCodeCopyClick } from "../../markdown/enhance";
import type { Notice, PendingPrompt } from "../../stores/chat";
import { memo } from "../common/memo";
import { FileIcon } from "../common/icons";
import { CompactionCard } from "./CompactionCard";
import { AssistantBody, BashRun, MessageRow } from "./Messages";
import { computeWindow, HeightMap, type Window } from "./virtual";

type Row = { key: string; msg: AgentMessage; index: number } | { key: string; notice: Notice } | { key: string; compaction: Compaction };

const OVERSCAN = 1200;
const FOLLOW_SLACK = 48;

/**
 * Transcript is the scrolling chat. Committed messages are windowed (only rows
 * near the viewport exist in the DOM); the streaming reply and unsent prompts
 * follow them. It sticks to the bottom until the user scrolls up, and offers
 * "Jump to latest" then; it never pulls a user who is reading back down.
 */
export function Transcript() {
  const { chat } = useApp();
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new HeightMap(140)).current;
  const following = useSignal(true);
  const unseen = useSignal(0);
  const [win, setWin] = useState<Window>({ start: 0, end: 0, top: 0, bottom: 0 });
  const lastTop = useRef(0);
  const frame = useRef(0);

  const rows = useComputed<Row[]>(() => {
    const msgs = chat.messages.value;
    const notices = chat.notices.value;
    const compactions = chat.compactions.value ?? [];
    // Compaction cards go where the server says; they carry the summary, so
    // the summary message they stand for is not shown twice.
    const cards = compactions.map((c) => ({ at: Math.max(0, Math.min(msgs.length, c.insertBeforeIndex)), c })).sort((a, b) => a.at - b.at);
    let k = 0;
    // Results shown inside their call's card are not rows of their own.
    const called = new Set<string>();
    for (const m of msgs) if (m.role === "assistant") for (const b of (m as AssistantMessage).content ?? []) if (b.type === "toolCall") called.add((b as { id: string }).id);
    const out: Row[] = [];
    let n = 0;
    for (let i = 0; i < msgs.length; i++) {
      while (n < notices.length && notices[n].afterIndex <= i) out.push({ key: `n${notices[n].id}`, notice: notices[n++] });
      while (k < cards.length && cards[k].at <= i) out.push({ key: `c${cards[k].c.id}`, compaction: cards[k++].c });
      const m = msgs[i];
      if (m.role === "toolResult" && called.has((m as ToolResultMessage).toolCallId)) continue;
      if (m.role === "compactionSummary" && cards.length > 0) continue;
      out.push({ key: `m${i}`, msg: m, index: i });
    }
    while (k < cards.length) out.push({ key: `c${cards[k].c.id}`, compaction: cards[k++].c });
    while (n < notices.length) out.push({ key: `n${notices[n].id}`, notice: notices[n++] });
    return out;
  });
  const list = rows.value;
  // Read through a ref: the observer and frame callbacks outlive this render.
  const keys = useRef<string[]>([]);
  keys.current = list.map((r) => r.key);

  function relayout() {
    const el = scroller.current;
    if (!el) return;
    const offsets = heights.offsets(keys.current);
    const next = computeWindow(offsets, el.scrollTop, el.clientHeight, OVERSCAN, following.value);
    setWin((w) => (w.start === next.start && w.end === next.end && w.top === next.top && w.bottom === next.bottom ? w : next));
  }
  function schedule() {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      relayout();
    });
  }
  function pin() {
    const el = scroller.current;
    if (!el || !following.value) return;
    el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
  }

  // Measure rendered rows; keep the view still when rows above it change size.
  const observer = useRef<ResizeObserver | null>(null);
  useEffect(() => {
    const ro = new ResizeObserver((entries) => {
      const el = scroller.current;
      if (!el) return;
      let shift = 0;
      for (const e of entries) {
        const t = e.target as HTMLElement;
        const key = t.dataset.key;
        const h = e.borderBoxSize?.[0]?.blockSize ?? t.offsetHeight;
        if (!key || key === "tail") continue;
        const delta = heights.set(key, h);
        if (delta !== 0 && t.offsetTop + h - delta <= el.scrollTop) shift += delta;
      }
      if (following.value) pin();
      else if (shift !== 0) {
        el.scrollTop += shift;
        lastTop.current = el.scrollTop;
      }
      schedule();
    });
    observer.current = ro;
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame.current);
    };
  }, []);

  // A new transcript (another session, or a snapshot after a gap) starts at the bottom.
  useEffect(() => {
    heights.clear();
    following.value = true;
    unseen.value = 0;
    schedule();
  }, [chat.resetCount.value]);

  // New rows: follow them, or count them for the jump button.
  const prevCount = useRef(list.length);
  useLayoutEffect(() => {
    const added = list.length - prevCount.current;
    prevCount.current = list.length;
    if (added > 0 && !following.value) unseen.value += added;
    relayout();
    pin();
  }, [list.length]);

  // A prompt the user sends always brings the view back to the bottom.
  useEffect(() => {
    if (chat.pending.value.length > 0) jumpToLatest();
  }, [chat.pending.value.length]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop;
    const nearBottom = el.scrollHeight - top - el.clientHeight < FOLLOW_SLACK;
    if (top < lastTop.current - 2 && !nearBottom) following.value = false;
    else if (nearBottom && !following.value) {
      following.value = true;
      unseen.value = 0;
    }
    lastTop.current = top;
    schedule();
  }
  function onWheel(e: WheelEvent) {
    if (e.deltaY < 0) following.value = false;
  }
  function onKeyDown(e: KeyboardEvent) {
    if (["PageUp", "Home", "ArrowUp"].includes(e.key)) following.value = false;
  }
  function jumpToLatest() {
    following.value = true;
    unseen.value = 0;
    relayout();
    requestAnimationFrame(pin);
    pin();
  }

  const measure = (el: HTMLElement | null) => {
    if (el) observer.current?.observe(el);
  };

  return (
    <div class="transcript-wrap">
      <div
        class="transcript"
        ref={scroller}
        onScroll={onScroll}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
        onClick={onCodeCopyClick}
        tabIndex={0}
        role="log"
        aria-label="Conversation"
        aria-live="off"
      >
        <div class="transcript-inner">
          {list.length === 0 && !chat.isStreaming.value && chat.pending.value.length === 0 && <p class="empty-note">No messages yet. Say what you want done.</p>}
          <div style={{ height: `${win.top}px` }} aria-hidden="true" />
          {list.slice(win.start, win.end).map((r) => (
            <div key={r.key} data-key={r.key} ref={measure} class="row">
              {"msg" in r ? <MessageRow msg={r.msg} index={r.index} /> : "notice" in r ? <NoticeRow notice={r.notice} /> : <CompactionCard compaction={r.compaction} />}
            </div>
          ))}
          <div style={{ height: `${win.bottom}px` }} aria-hidden="true" />
          <div data-key="tail" ref={measure}>
            {chat.running.value.map((r) => (
              <BashRun key={r.id} running msg={{ role: "bashExecution", command: r.command, output: "", excludeFromContext: r.excludeFromContext, timestamp: r.at }} />
            ))}
            <StreamingReply />
            {chat.pending.value.map((p) => (
              <PendingRow key={p.id} prompt={p} />
            ))}
            <QueueBox />
          </div>
        </div>
      </div>
      {!following.value && (
        <button type="button" class="jump-latest" onClick={jumpToLatest}>
          ↓ Jump to latest{unseen.value > 0 ? ` (${unseen.value} new)` : ""}
        </button>
      )}
    </div>
  );
}

/** StreamingReply is the only part of the chat that re-renders on every delta (once a frame at most). */
function StreamingReply() {
  const { chat } = useApp();
  chat.streamTick.value; // subscribe
  const draft = chat.draft();
  if (!draft) {
    return chat.isStreaming.value ? (
      <p class="typing" aria-label="Working">
        <span />
        <span />
        <span />
      </p>
    ) : null;
  }
  return (
    <article class="msg msg-assistant streaming" aria-label="Assistant, replying" aria-busy="true">
      <div class="msg-meta">
        <span class="who">Assistant</span>
        <span class="muted">replying…</span>
      </div>
      <AssistantBody msg={{ ...draft, content: draft.content.slice() } as AssistantMessage} streaming />
    </article>
  );
}

const NoticeRow = memo(function NoticeRow({ notice }: { notice: Notice }) {
  const { chat } = useApp();
  return (
    <div class={`notice notice-${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
      <span>{notice.text}</span>
      <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => chat.dismissNotice(notice.id)}>
        ×
      </button>
    </div>
  );
});

function PendingRow({ prompt }: { prompt: PendingPrompt }) {
  const { chat } = useApp();
  return (
    <article class={`msg msg-user pending${prompt.error ? " failed" : ""}`} aria-label="Your message, sending">
      <div class="msg-meta">
        <span class="who">You</span>
        <span class="muted">{prompt.error ? "not sent" : prompt.mode ? (prompt.mode === "steer" ? "steering…" : "queued as follow-up") : "sending…"}</span>
      </div>
      <div class="bubble">
        <p class="pre-wrap">{prompt.text}</p>
        {prompt.files && (
          <ul class="attachments sent" aria-label="Attachments">
            {prompt.files.map((f, i) => (
              <li key={i} class={`attachment attachment-${f.kind}`}>
                {f.previewUrl ? <img src={f.previewUrl} alt="" /> : <FileIcon />}
                <span class="attachment-name">{f.name}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {prompt.error && (
        <p class="msg-error" role="alert">
          {prompt.error}{" "}
          <button type="button" class="btn btn-small" onClick={() => chat.dropPending(prompt.id)}>
            Dismiss
          </button>
        </p>
      )}
    </article>
  );
}

function QueueBox() {
  const { chat } = useApp();
  const q = chat.queue.value;
  if (q.steering.length === 0 && q.followUp.length === 0) return null;
  return (
    <div class="queue-box" aria-label="Queued messages">
      <strong>Queued ({q.steering.length + q.followUp.length})</strong>
      <ul>
        {q.steering.map((t, i) => (
          <li key={`s${i}`}>
            <span class="pill pill-warn">steer</span> {t}
          </li>
        ))}
        {q.followUp.map((t, i) => (
          <li key={`f${i}`}>
            <span class="pill">follow-up</span> {t}
          </li>
        ))}
      </ul>
    </div>
  );
}
