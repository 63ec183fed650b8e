import { useSignal } from "@preact/signals";
import { useApp } from "../app/context";
import { Markdown } from "../components/chat/Markdown";
import { answerOf, chatBody, CUSTOM, emptyDraft, hasPreview, submitBody, toggle, type Draft } from "./answers";
import type { AnswerBody, Question, QuestionRequest } from "./types";

/**
 * AskUserPanel is the questionnaire the agent waits on, inline above the
 * composer (the chat stays scrollable behind it). Several questions are tabs
 * with Back / Next and a final Submit; "Chat about this" abandons it.
 */
export function AskUserPanel({ request, waiting }: { request: QuestionRequest; waiting: number }) {
  const { tools, ui } = useApp();
  const qs = request.questions;
  const drafts = useSignal<Draft[]>(qs.map(() => emptyDraft()));
  const current = useSignal(0);
  const focused = useSignal<string | null>(null);
  const busy = useSignal(false);
  const i = Math.min(current.value, qs.length - 1);
  const q = qs[i];
  const d = drafts.value[i];
  const answered = qs.map((x, j) => answerOf(x, j, drafts.value[j]) !== null);
  const last = i === qs.length - 1;

  const setDraft = (change: Partial<Draft> | ((d: Draft) => Draft)) => {
    const next = [...drafts.value];
    next[i] = typeof change === "function" ? change(next[i]) : { ...next[i], ...change };
    drafts.value = next;
  };
  async function send(body: AnswerBody) {
    busy.value = true;
    try {
      await tools.answer(body);
    } catch (e) {
      ui.toast(`The answer was not sent: ${(e as Error).message}`);
      busy.value = false;
    }
  }
  const go = (j: number) => {
    current.value = j;
    focused.value = null;
  };

  return (
    <section class="ask-panel" aria-label="The agent asks you">
      <header class="ask-head">
        <strong>The agent is waiting for your answer</strong>
        {waiting > 0 && <span class="muted"> · {waiting} more after this</span>}
      </header>
      {qs.length > 1 && (
        <div class="ask-tabs" role="tablist" aria-label="Questions">
          {qs.map((x, j) => (
            <button key={j} type="button" role="tab" aria-selected={j === i} class="tab" onClick={() => go(j)}>
              {answered[j] ? "✓ " : ""}
              {x.header}
            </button>
          ))}
        </div>
      )}
      <div class="ask-question" role={qs.length > 1 ? "tabpanel" : undefined}>
        <p class="ask-text" id={`ask-q-${request.requestId}-${i}`}>
          {qs.length === 1 && <span class="pill">{q.header}</span>} {q.question}
        </p>
        <div class={hasPreview(q) ? "ask-body with-preview" : "ask-body"}>
          <Options q={q} d={d} name={`ask-${request.requestId}-${i}`} labelledBy={`ask-q-${request.requestId}-${i}`} onDraft={setDraft} onFocus={(l) => (focused.value = l)} />
          {hasPreview(q) && <Preview q={q} label={focused.value ?? d.choice} />}
        </div>
      </div>
      <footer class="ask-actions">
        <button type="button" class="btn btn-ghost" disabled={busy.value} onClick={() => void send(chatBody(request, drafts.value, i))} title="Close the questions and talk it over in the chat">
          Chat about this
        </button>
        <span class="ask-spacer" />
        {i > 0 && (
          <button type="button" class="btn" disabled={busy.value} onClick={() => go(i - 1)}>
            Back
          </button>
        )}
        {!last && (
          <button type="button" class="btn" disabled={busy.value} onClick={() => go(i + 1)}>
            Next
          </button>
        )}
        {last && (
          <button type="button" class="btn btn-primary" disabled={busy.value || !answered.some(Boolean)} onClick={() => void send(submitBody(request, drafts.value))}>
            Submit
          </button>
        )}
      </footer>
    </section>
  );
}

function Options(p: {
  q: Question;
  d: Draft;
  name: string;
  labelledBy: string;
  onDraft: (c: Partial<Draft> | ((d: Draft) => Draft)) => void;
  onFocus: (label: string | null) => void;
}) {
  const { q, d } = p;
  const multi = !!q.multiSelect;
  return (
    <fieldset class="ask-options" aria-labelledby={p.labelledBy}>
      {q.options.map((o) => (
        <label key={o.label} class="ask-option" onMouseEnter={() => p.onFocus(o.label)}>
          <input
            type={multi ? "checkbox" : "radio"}
            name={p.name}
            checked={multi ? d.selected.includes(o.label) : d.choice === o.label}
            onFocus={() => p.onFocus(o.label)}
            onChange={() => (multi ? p.onDraft((x) => toggle(q, x, o.label)) : p.onDraft({ choice: o.label }))}
          />
          <span>
            <span class="ask-label">{o.label}</span>
            <span class="ask-desc muted">{o.description}</span>
          </span>
        </label>
      ))}
      <label class="ask-option ask-custom">
        {!multi && <input type="radio" name={p.name} checked={d.choice === CUSTOM} onChange={() => p.onDraft({ choice: CUSTOM })} aria-label="Type your own answer" />}
        <input
          type="text"
          class="tool-input"
          placeholder={multi ? "Add your own…" : "Or type your own answer…"}
          value={d.custom}
          onFocus={() => p.onFocus(null)}
          onInput={(e) => {
            const v = (e.currentTarget as HTMLInputElement).value;
            p.onDraft(multi ? { custom: v } : { custom: v, choice: CUSTOM });
          }}
        />
      </label>
    </fieldset>
  );
}

function Preview({ q, label }: { q: Question; label: string | null }) {
  const opt = q.options.find((o) => o.label === label) ?? q.options.find((o) => o.preview);
  return (
    <div class="ask-preview" aria-live="polite" aria-label={opt ? `Preview of ${opt.label}` : "Preview"}>
      {opt?.preview ? <Markdown text={opt.preview} /> : <p class="muted">No preview for this option.</p>}
    </div>
  );
}
