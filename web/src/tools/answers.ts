// The questionnaire's answers as the user builds them, and the bodies of
// POST .../ask-user-question/answer they turn into.

import type { AnswerBody, Question, QuestionAnswer, QuestionRequest } from "./types";

/** CUSTOM marks the "type your own answer" choice of a single-select question. */
export const CUSTOM = "\u0000custom";

/** Draft is what the user has chosen so far for one question. */
export interface Draft {
  /** Single-select: the chosen label, CUSTOM, or null. */
  choice: string | null;
  /** Multi-select: the ticked labels, in the options' order. */
  selected: string[];
  /** The typed answer (single: with CUSTOM chosen; multi: besides the ticks). */
  custom: string;
  notes: string;
}

export function emptyDraft(): Draft {
  return { choice: null, selected: [], custom: "", notes: "" };
}

/** toggle ticks or unticks a multi-select label, keeping the options' order. */
export function toggle(q: Question, d: Draft, label: string): Draft {
  const on = new Set(d.selected);
  if (on.has(label)) on.delete(label);
  else on.add(label);
  return { ...d, selected: q.options.map((o) => o.label).filter((l) => on.has(l)) };
}

/** answerOf is a question's answer, or null while it has none. */
export function answerOf(q: Question, index: number, d: Draft): QuestionAnswer | null {
  const typed = d.custom.trim();
  const notes = d.notes.trim() ? { notes: d.notes.trim() } : {};
  if (q.multiSelect) {
    if (d.selected.length === 0 && !typed) return null;
    return { questionIndex: index, question: q.question, kind: "multi", answer: typed || null, selected: d.selected, ...notes };
  }
  if (d.choice === CUSTOM) {
    return typed ? { questionIndex: index, question: q.question, kind: "custom", answer: typed, ...notes } : null;
  }
  const opt = q.options.find((o) => o.label === d.choice);
  if (!opt) return null;
  return { questionIndex: index, question: q.question, kind: "option", answer: opt.label, ...(opt.preview ? { preview: opt.preview } : {}), ...notes };
}

function answers(req: QuestionRequest, drafts: Draft[]): QuestionAnswer[] {
  return req.questions.map((q, i) => answerOf(q, i, drafts[i] ?? emptyDraft())).filter((a): a is QuestionAnswer => a !== null);
}

/** submitBody sends what is answered; unanswered questions are left out. */
export function submitBody(req: QuestionRequest, drafts: Draft[]): AnswerBody {
  return { requestId: req.requestId, answers: answers(req, drafts) };
}

/** chatBody abandons the questionnaire at question current ("Chat about this"). */
export function chatBody(req: QuestionRequest, drafts: Draft[], current: number): AnswerBody {
  const given = answers(req, drafts).filter((a) => a.questionIndex !== current);
  const q = req.questions[current];
  return { requestId: req.requestId, cancelled: true, answers: [...given, { questionIndex: current, question: q?.question ?? "", kind: "chat", answer: null }] };
}

/** hasPreview tells whether a question shows the side-by-side preview pane. */
export function hasPreview(q: Question): boolean {
  return !q.multiSelect && q.options.some((o) => !!o.preview);
}
