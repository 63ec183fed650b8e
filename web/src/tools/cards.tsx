// How the process, todo and ask_user_question tools look in the chat: the
// one-line preview of a call, the body of its card, and the lifecycle cards
// process alerts add to the transcript.

import { useSignal } from "@preact/signals";
import type { OtherMessage, ToolResult } from "../api/types";
import { CheckIcon, CrossIcon } from "./icons";
import { isLive, type ProcessInfo, type QuestionAnswer, type TodoTask } from "./types";
import "./tools.css";

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** toolPreview is a call's summary line, or undefined for other tools. */
export function toolPreview(name: string, a: Record<string, unknown>): string | undefined {
  switch (name) {
    case "process": {
      const what = str(a.action);
      if (what === "start") return `start ${str(a.name)} — ${str(a.command).split("\n")[0].slice(0, 100)}`;
      return [what, str(a.id)].filter(Boolean).join(" ");
    }
    case "todo": {
      const what = str(a.action);
      const target = str(a.subject) || (a.id !== undefined ? `#${String(a.id)}` : "");
      const status = str(a.status);
      return [what, target, status && what === "update" ? `→ ${status}` : ""].filter(Boolean).join(" ");
    }
    case "ask_user_question": {
      const qs = Array.isArray(a.questions) ? (a.questions as Array<{ header?: unknown; question?: unknown }>) : [];
      if (qs.length === 0) return "";
      const first = str(qs[0].header) || str(qs[0].question);
      return qs.length > 1 ? `${first} (+${qs.length - 1})` : first;
    }
  }
  return undefined;
}

type Details = Record<string, unknown> | undefined;

/**
 * ToolCardBody is the body of a process, todo or ask_user_question card; null
 * for other tools (the generic body shows them).
 */
export function ToolCardBody(p: { name: string; args: Record<string, unknown>; result: ToolResult | undefined; status: string }) {
  const d = p.result?.details as Details;
  switch (p.name) {
    case "todo":
      return d && Array.isArray(d.tasks) ? <TodoResult tasks={d.tasks as TodoTask[]} error={str(d.error)} /> : null;
    case "ask_user_question":
      return <AskResult args={p.args} details={d} running={p.status === "running"} />;
    case "process":
      return d ? <ProcessResult details={d} /> : null;
  }
  return null;
}

const TODO_MARK: Record<string, string> = { pending: "○", in_progress: "◐", completed: "●", deleted: "⊘" };

function TodoResult({ tasks, error }: { tasks: TodoTask[]; error: string }) {
  const shown = tasks.filter((t) => t.status !== "deleted");
  return (
    <div class="todo-result">
      {error && <p class="form-error">{error}</p>}
      {shown.length === 0 ? (
        <p class="muted">The list is empty.</p>
      ) : (
        <ul class="todo-mini">
          {shown.map((t) => (
            <li key={t.id} class={`todo-${t.status}`}>
              <span aria-hidden="true">{TODO_MARK[t.status]}</span> <span class="muted">#{t.id}</span> {t.status === "in_progress" && t.activeForm ? t.activeForm : t.subject}
              <span class="sr-only"> ({t.status.replace("_", " ")})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function AskResult({ args, details, running }: { args: Record<string, unknown>; details: Details; running: boolean }) {
  const qs = Array.isArray(args.questions) ? (args.questions as Array<{ question?: string; header?: string }>) : [];
  const answers = (Array.isArray(details?.answers) ? details.answers : []) as QuestionAnswer[];
  if (details?.error) return <p class="form-error">The questionnaire was refused: {str(details.error)}</p>;
  return (
    <div class="ask-result">
      {running && <p class="muted">Waiting for your answer (above the message box).</p>}
      {details?.cancelled === true && answers.length === 0 && <p class="muted">Closed without an answer.</p>}
      <dl>
        {qs.map((q, i) => {
          const a = answers.find((x) => x.questionIndex === i);
          return (
            <div key={i}>
              <dt>{q.question ?? q.header}</dt>
              <dd>{a ? answerLabel(a) : <span class="muted">{running ? "…" : "not answered"}</span>}</dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

function answerLabel(a: QuestionAnswer): string {
  switch (a.kind) {
    case "chat":
      return "wants to talk about it";
    case "multi":
      return [...(a.selected ?? []), ...(a.answer ? [`“${a.answer}”`] : [])].join(", ") || "nothing selected";
    case "custom":
      return `“${a.answer ?? ""}”`;
  }
  return a.answer ?? "";
}

function ProcessResult({ details }: { details: Record<string, unknown> }) {
  const proc = details.process as ProcessInfo | undefined;
  const list = details.processes as ProcessInfo[] | undefined;
  const out = details.output as { stdout?: string[]; stderr?: string[] } | undefined;
  return (
    <div class="process-result">
      {proc && <ProcessLine p={proc} />}
      {list && list.length > 0 && (
        <ul class="proc-mini">
          {list.map((p) => (
            <li key={p.id}>
              <ProcessLine p={p} />
            </li>
          ))}
        </ul>
      )}
      {out && (out.stdout?.length || out.stderr?.length) ? (
        <pre class="tool-output">{[...(out.stdout ?? []).slice(-20), ...(out.stderr?.length ? ["--- stderr ---", ...out.stderr.slice(-20)] : [])].join("\n")}</pre>
      ) : null}
    </div>
  );
}

function ProcessLine({ p }: { p: ProcessInfo }) {
  return (
    <span class="proc-line">
      <span class={`proc-dot proc-${p.status}`} aria-hidden="true" /> <strong>{p.name}</strong> <span class="muted">{p.id}</span> <span class="pill">{p.status.replace("_", " ")}</span>
      {!isLive(p.status) && p.exitCode !== null && <span class="muted"> exit {p.exitCode}</span>}
    </span>
  );
}

const NOTIFY_TITLES: Record<string, string> = {
  success: "Process completed",
  failure: "Process failed",
  killed: "Process killed",
};

/** isLifecycle tells the custom messages LifecycleCard shows (process alerts). */
export function isLifecycle(msg: OtherMessage): boolean {
  return msg.role === "custom" && (msg.customType === "process-notify" || msg.customType === "process-watch");
}

/** LifecycleCard shows a process alert as a collapsed card, tinted by outcome. */
export function LifecycleCard({ msg }: { msg: OtherMessage }) {
  const open = useSignal(false);
  const type = str(msg.customType);
  const d = ((msg as { details?: unknown }).details ?? {}) as Record<string, unknown>;
  const watch = type === "process-watch";
  const reason = watch ? "watch" : str(d.reason);
  const name = watch ? str(d.processName) : str(d.name);
  const title = watch ? "Log watch matched" : (NOTIFY_TITLES[reason] ?? "Process");
  const tone = reason === "success" ? "ok" : watch ? "warn" : "error";
  const text = typeof msg.content === "string" ? msg.content : (msg.content ?? []).map((b) => str((b as { text?: unknown }).text)).join("\n");
  return (
    <article class={`msg lifecycle-card lifecycle-${tone}`}>
      <button type="button" class="meta-head" aria-expanded={open.value} onClick={() => (open.value = !open.value)}>
        <span class="lifecycle-icon">{tone === "ok" ? <CheckIcon /> : <CrossIcon />}</span> {title}: {name}
        <span class={`pill pill-${tone}`}>{watch ? str(d.source) : (str(d.status) || reason)}</span>
        {watch && <span class="muted meta-first"> — {str(d.line).slice(0, 100)}</span>}
      </button>
      {open.value && (
        <div class="lifecycle-body">
          <pre class="tool-output">{text}</pre>
          <details class="disclosure">
            <summary>Details</summary>
            <pre class="tool-output">{JSON.stringify(d, null, 2)}</pre>
          </details>
        </div>
      )}
    </article>
  );
}
