import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import type {
  AgentMessage,
  AssistantMessage,
  BashExecutionMessage,
  ContentBlock,
  ImageBlock,
  OtherMessage,
  TextBlock,
  ThinkingBlock as Thinking,
  ToolCallBlock,
  ToolResultMessage,
  UserMessage,
} from "../../api/types";
import { formatTokens } from "../../stores/chat";
import { memo } from "../common/memo";
import { clockTime, fullTime, money } from "../common/time";
import { Markdown, StreamingMarkdown } from "./Markdown";
import { ThinkingBlock } from "./ThinkingBlock";
import { CopyButton, ToolCard } from "./ToolCard";
import { isLifecycle, LifecycleCard } from "../../tools/cards";

/**
 * MessageRow picks the view for one committed message; it re-renders only
 * when its message changes. index is its place in the transcript, for the
 * branch actions; archived messages (inside a compaction card) have none.
 */
export const MessageRow = memo(function MessageRow({ msg, index }: { msg: AgentMessage; index?: number }) {
  switch (msg.role) {
    case "user":
      return <UserBubble msg={msg as UserMessage} index={index} />;
    case "assistant":
      return <AssistantEntry msg={msg as AssistantMessage} index={index} />;
    case "toolResult":
      return <LoneToolResult msg={msg as ToolResultMessage} />;
    case "bashExecution":
      return <BashRun msg={msg as BashExecutionMessage} />;
    case "compactionSummary":
      return <MetaCard title="Context compacted" msg={msg as OtherMessage} />;
    case "branchSummary":
      return <MetaCard title="Branch summary" msg={msg as OtherMessage} />;
    case "custom":
      if ((msg as OtherMessage).display === false) return null;
      return isLifecycle(msg as OtherMessage) ? <LifecycleCard msg={msg as OtherMessage} /> : <MetaCard title={String((msg as OtherMessage).customType ?? "Note")} msg={msg as OtherMessage} />;
    default:
      return <MetaCard title={`Unknown message (${msg.role})`} msg={msg as OtherMessage} raw />;
  }
});

function MessageMeta({ who, at, copy, children }: { who: string; at?: number; copy: string; children?: preact.ComponentChildren }) {
  return (
    <div class="msg-meta">
      <span class="who">{who}</span>
      {at ? (
        <time dateTime={new Date(at).toISOString()} title={fullTime(at)}>
          {clockTime(at)}
        </time>
      ) : null}
      {children}
      {copy && <CopyButton text={copy} label={`Copy ${who} message`} />}
    </div>
  );
}

function textOf(content: string | ContentBlock[] | undefined): string {
  if (typeof content === "string") return content;
  return (content ?? [])
    .filter((b) => b.type === "text")
    .map((b) => (b as TextBlock).text)
    .join("\n\n");
}

function Images({ blocks }: { blocks: ContentBlock[] }) {
  const imgs = blocks.filter((b): b is ImageBlock => b.type === "image");
  if (imgs.length === 0) return null;
  return (
    <div class="msg-images">
      {imgs.map((img, i) => (
        <img key={i} src={`data:${img.mimeType};base64,${img.data}`} alt={`Attached image ${i + 1}`} loading="lazy" />
      ))}
    </div>
  );
}

/** BranchButton forks the session at a message: "edit" re-drafts a prompt, otherwise the new session keeps the message. */
function BranchButton({ index, edit }: { index?: number; edit?: boolean }) {
  const { branching, ui } = useApp();
  const busy = useSignal(false);
  const sid = ui.sessionId.value;
  if (index === undefined || !sid) return null;
  const label = edit ? "Edit and resend in a new branch" : "Branch from here into a new session";
  return (
    <button
      type="button"
      class="msg-action"
      aria-label={label}
      title={label}
      disabled={busy.value}
      onClick={async () => {
        busy.value = true;
        try {
          await branching.forkFromMessage(sid, index, !!edit);
        } finally {
          busy.value = false;
        }
      }}
    >
      {edit ? "Edit" : "Branch"}
    </button>
  );
}

function UserBubble({ msg, index }: { msg: UserMessage; index?: number }) {
  const text = textOf(msg.content);
  return (
    <article class="msg msg-user" aria-label="You">
      <MessageMeta who="You" at={msg.timestamp} copy={text}>
        <BranchButton index={index} edit />
      </MessageMeta>
      <div class="bubble">
        <Markdown text={text} breaks />
        {Array.isArray(msg.content) && <Images blocks={msg.content} />}
      </div>
    </article>
  );
}

/** AssistantBody renders an assistant message's blocks in order; shared by committed and streaming replies. */
export function AssistantBody({ msg, streaming }: { msg: AssistantMessage; streaming?: boolean }) {
  const blocks = msg.content ?? [];
  const last = blocks.length - 1;
  return (
    <>
      {blocks.map((b, i) => {
        const live = streaming && i === last;
        switch (b.type) {
          case "text": {
            const t = (b as TextBlock).text;
            if (!t && !live) return null;
            return <div key={i} class="bubble">{live ? <StreamingMarkdown text={t} /> : <Markdown text={t} math />}</div>;
          }
          case "thinking": {
            const th = b as Thinking;
            return <ThinkingBlock key={i} text={th.thinking} streaming={live} redacted={th.redacted} />;
          }
          case "toolCall":
            return <ToolCard key={(b as ToolCallBlock).id || i} call={b as ToolCallBlock} />;
          case "image":
            return <Images key={i} blocks={[b]} />;
          default:
            return (
              <details key={i} class="disclosure">
                <summary>block ({b.type})</summary>
                <pre class="tool-output">{JSON.stringify(b, null, 2)}</pre>
              </details>
            );
        }
      })}
      {streaming && blocks.length === 0 && <p class="typing" aria-label="Waiting for the reply">…</p>}
      {msg.stopReason === "error" && (
        <p class="msg-error" role="alert">
          Provider error: {msg.errorMessage || "the request failed"}
        </p>
      )}
      {msg.stopReason === "aborted" && <p class="msg-note">Stopped.</p>}
    </>
  );
}

function AssistantEntry({ msg, index }: { msg: AssistantMessage; index?: number }) {
  const text = textOf(msg.content);
  const u = msg.usage;
  return (
    <article class="msg msg-assistant" aria-label="Assistant">
      <MessageMeta who="Assistant" at={msg.timestamp} copy={text}>
        {msg.model && <span class="muted model-tag">{msg.model}</span>}
        {u && u.totalTokens > 0 && (
          <span class="muted usage" title={`input ${u.input}, output ${u.output}, cache read ${u.cacheRead}, cache write ${u.cacheWrite}`}>
            {formatTokens(u.input + u.cacheRead + u.cacheWrite)} in · {formatTokens(u.output)} out{u.cost?.total ? ` · ${money(u.cost.total)}` : ""}
          </span>
        )}
        <BranchButton index={index} />
      </MessageMeta>
      <AssistantBody msg={msg} />
    </article>
  );
}

function LoneToolResult({ msg }: { msg: ToolResultMessage }) {
  // A result whose call is not in the transcript (compacted away): show it on its own.
  const call: ToolCallBlock = { type: "toolCall", id: msg.toolCallId, name: msg.toolName, arguments: {} };
  return (
    <article class="msg msg-tool" aria-label={`Result of ${msg.toolName}`}>
      <ToolCard call={call} />
    </article>
  );
}

export function BashRun({ msg, running }: { msg: BashExecutionMessage; running?: boolean }) {
  const code = msg.exitCode;
  return (
    <article class={`msg msg-bash${msg.excludeFromContext ? " local-only" : ""}`} aria-label="Command" aria-busy={running || undefined}>
      <MessageMeta who="Command" at={msg.timestamp} copy={msg.output}>
        <span class={`pill ${msg.excludeFromContext ? "pill-warn" : "pill-ok"}`} title={msg.excludeFromContext ? "The agent does not see this output" : "The output is part of the agent's context"}>
          {msg.excludeFromContext ? "not in context" : "in context"}
        </span>
        {running && <span class="pill pill-running">running…</span>}
        {msg.truncated && <span class="pill">truncated</span>}
        {msg.cancelled && <span class="pill">cancelled</span>}
        {code !== undefined && code !== null && <span class={`pill ${code === 0 ? "pill-ok" : "pill-error"}`}>exit {code}</span>}
      </MessageMeta>
      <pre class="bash-command">$ {msg.command}</pre>
      {!running && <pre class="tool-output">{msg.output || "(no output)"}</pre>}
    </article>
  );
}

function MetaCard({ title, msg, raw }: { title: string; msg: OtherMessage; raw?: boolean }) {
  const open = useSignal(false);
  const body = raw ? JSON.stringify(msg, null, 2) : (msg.summary ?? textOf(msg.content as string | ContentBlock[] | undefined));
  const first = String(body ?? "").split("\n")[0];
  return (
    <article class="msg msg-meta-card">
      <button type="button" class="meta-head" aria-expanded={open.value} onClick={() => (open.value = !open.value)}>
        <span aria-hidden="true">{open.value ? "▾" : "▸"}</span> {title}
        {msg.tokensBefore ? <span class="muted"> · was {formatTokens(msg.tokensBefore)} tokens</span> : null}
        {!open.value && first && <span class="muted meta-first"> — {first.slice(0, 100)}</span>}
      </button>
      {open.value && (raw ? <pre class="tool-output">{body}</pre> : <Markdown text={String(body ?? "")} />)}
    </article>
  );
}
