// The process/todo/question state of the open session (reducer and store),
// the questionnaire's answers, and the question panel and processes tab over
// a fake API.
import { signal } from "@preact/signals";
import { render } from "preact";
import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../src/api/client";
import { AppContext } from "../src/app/context";
import type { AppState } from "../src/app/state";
import type { StreamEvent } from "../src/sse/stream";
import { createUiStore } from "../src/stores/ui";
import { chatBody, CUSTOM, emptyDraft, submitBody, toggle } from "../src/tools/answers";
import { AskUserPanel } from "../src/tools/AskUserPanel";
import { ProcessesPanel } from "../src/tools/ProcessesPanel";
import { initialToolsState, MAX_WATCHES, reduceTools, runningCount, sortProcesses, todoCounts, todoGroups } from "../src/tools/reducer";
import { createToolsStore, STRIP_KEY } from "../src/tools/store";
import type { ProcessInfo, QuestionRequest } from "../src/tools/types";

const proc = (id: string, status: ProcessInfo["status"], startTime: number): ProcessInfo => ({
  id,
  name: `job-${id}`,
  pid: 100,
  command: `run ${id}`,
  cwd: "/w/p",
  startTime,
  endTime: status === "running" ? null : startTime + 1000,
  status,
  exitCode: status === "exited" ? 0 : null,
  success: status === "running" ? null : status === "exited",
  stdoutFile: "/d/out",
  stderrFile: "/d/err",
  alertOnSuccess: false,
  alertOnFailure: true,
  alertOnKill: false,
});

const request: QuestionRequest = {
  requestId: "r1",
  questions: [
    { question: "Which database?", header: "DB", options: [{ label: "Postgres", description: "server" }, { label: "SQLite", description: "file", preview: "**one file**" }] },
    { question: "Which extras?", header: "Extras", multiSelect: true, options: [{ label: "Auth", description: "a" }, { label: "Admin", description: "b" }, { label: "API", description: "c" }] },
  ],
};

function run(events: StreamEvent[]) {
  return events.reduce(reduceTools, initialToolsState());
}

describe("tools reducer", () => {
  it("follows the connect frames and live events", () => {
    const s = run([
      { type: "snapshot", messages: [] },
      { type: "ask_user_question", requestId: "r1", questions: request.questions },
      { type: "todo_update", tasks: [{ id: 1, subject: "a", status: "in_progress" }, { id: 2, subject: "b", status: "completed" }, { id: 3, subject: "c", status: "deleted" }], nextId: 4 },
      { type: "process_update", processes: [proc("a", "running", 1), proc("b", "exited", 2)] },
      { type: "ask_user_question", requestId: "r1", questions: request.questions },
      { type: "process_output", id: "a" },
      { type: "process_output", id: "a" },
      { type: "process_watch", match: { processId: "a", processName: "job-a", processCommand: "x", source: "stdout", line: "ready", watch: { index: 0, pattern: "ready", stream: "both", repeat: false } } },
      { type: "message_end", message: {} },
    ]);
    expect(s.pending.map((p) => p.requestId)).toEqual(["r1"]);
    expect(s.todos.nextId).toBe(4);
    expect(todoCounts(s.todos.tasks)).toEqual({ completed: 1, total: 2, inProgress: 1 });
    expect(runningCount(s.processes)).toBe(1);
    expect(s.outputTick).toEqual({ a: 2 });
    expect(s.watches[0].line).toBe("ready");
    const closed = reduceTools(s, { type: "ask_user_question_cancelled", requestId: "r1", reason: "answered" });
    expect(closed.pending).toEqual([]);
    // A reconnect's snapshot drops questions; the frames that follow bring back those still pending.
    expect(reduceTools(s, { type: "snapshot", messages: [] }).pending).toEqual([]);
  });

  it("keeps the newest watch alerts only", () => {
    let s = initialToolsState();
    for (let i = 0; i < MAX_WATCHES + 5; i++) {
      s = reduceTools(s, { type: "process_watch", match: { processId: "a", processName: "a", processCommand: "", source: "stdout", line: `l${i}`, watch: { index: 0, pattern: "l", stream: "both", repeat: true } } });
    }
    expect(s.watches.length).toBe(MAX_WATCHES);
    expect(s.watches[0].line).toBe(`l${MAX_WATCHES + 4}`);
  });

  it("orders processes running first and groups tasks", () => {
    const list = sortProcesses([proc("old", "exited", 1), proc("run1", "running", 2), proc("new", "killed", 5), proc("run2", "terminating", 3)]);
    expect(list.map((p) => p.id)).toEqual(["run2", "run1", "new", "old"]);
    const groups = todoGroups([
      { id: 1, subject: "a", status: "completed" },
      { id: 2, subject: "b", status: "pending" },
      { id: 3, subject: "c", status: "in_progress" },
      { id: 4, subject: "d", status: "deleted" },
    ]);
    expect(groups.map((g) => `${g.label}:${g.tasks.map((t) => t.id).join(",")}`)).toEqual(["In progress:3", "Pending:2", "Completed:1"]);
  });
});

describe("questionnaire answers", () => {
  it("sends option, custom and multi answers and leaves out the unanswered", () => {
    const [db, extras] = request.questions;
    const picked = { ...emptyDraft(), choice: "SQLite" };
    let multi = toggle(extras, emptyDraft(), "API");
    multi = toggle(extras, multi, "Auth");
    expect(multi.selected).toEqual(["Auth", "API"]);
    expect(submitBody(request, [picked, { ...multi, custom: " mine " }])).toEqual({
      requestId: "r1",
      answers: [
        { questionIndex: 0, question: db.question, kind: "option", answer: "SQLite", preview: "**one file**" },
        { questionIndex: 1, question: extras.question, kind: "multi", answer: "mine", selected: ["Auth", "API"] },
      ],
    });
    const typed = { ...emptyDraft(), choice: CUSTOM, custom: "MySQL", notes: "we have it" };
    expect(submitBody(request, [typed, emptyDraft()]).answers).toEqual([
      { questionIndex: 0, question: db.question, kind: "custom", answer: "MySQL", notes: "we have it" },
    ]);
    expect(submitBody(request, [{ ...emptyDraft(), choice: CUSTOM }, emptyDraft()]).answers).toEqual([]);
  });

  it("chat about this cancels with a chat answer for the current question", () => {
    const body = chatBody(request, [{ ...emptyDraft(), choice: "Postgres" }, emptyDraft()], 1);
    expect(body.cancelled).toBe(true);
    expect(body.answers?.map((a) => `${a.questionIndex}:${a.kind}`)).toEqual(["0:option", "1:chat"]);
    expect(body.answers?.[1].answer).toBeNull();
  });
});

function fakeApi(handler: (method: string, path: string, body: unknown) => Response) {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace("/api/v1", "");
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: init?.method ?? "GET", path, body });
    return handler(init?.method ?? "GET", path, body);
  });
  return { api: createApiClient({ token: { get: () => null, set: () => undefined }, fetch: fetch as unknown as typeof globalThis.fetch }), calls };
}
const json = (status: number, body: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status });

function storeWith(handler: (method: string, path: string, body: unknown) => Response) {
  const { api, calls } = fakeApi(handler);
  const listeners = new Set<(ev: StreamEvent) => void>();
  const sessionId = signal<string | null>("s1");
  const store = createToolsStore({
    api,
    sessionId,
    onStreamEvent: (f) => (listeners.add(f), () => void listeners.delete(f)),
    storage: localStorage,
  });
  const emit = (ev: StreamEvent) => listeners.forEach((f) => f(ev));
  return { store, emit, calls, sessionId };
}

describe("tools store", () => {
  it("hydrates from the stream and starts afresh for another session", () => {
    const { store, emit, sessionId } = storeWith(() => json(200, {}));
    emit({ type: "process_update", processes: [proc("a", "running", 1)] });
    emit({ type: "todo_update", tasks: [{ id: 1, subject: "a", status: "pending" }], nextId: 2 });
    expect(store.running.value).toBe(1);
    expect(store.todoCounts.value.total).toBe(1);
    sessionId.value = "s2";
    expect(store.running.value).toBe(0);
    expect(store.todos.value.tasks).toEqual([]);
    store.dispose();
  });

  it("drops a question once answered, here or in another tab (404), and keeps it on other failures", async () => {
    let status = 204;
    const { store, emit, calls } = storeWith(() => (status === 204 ? json(204, undefined) : json(status, { error: status === 404 ? "request_not_found" : "internal_error" })));
    emit({ type: "ask_user_question", requestId: "r1", questions: request.questions });
    emit({ type: "ask_user_question", requestId: "r2", questions: request.questions });
    await store.answer({ requestId: "r1", answers: [] });
    expect(calls[0]).toEqual({ method: "POST", path: "/sessions/s1/ask-user-question/answer", body: { requestId: "r1", answers: [] } });
    expect(store.pending.value.map((p) => p.requestId)).toEqual(["r2"]);
    status = 500;
    await expect(store.answer({ requestId: "r2", cancelled: true })).rejects.toThrow();
    expect(store.pending.value.length).toBe(1);
    status = 404;
    await store.answer({ requestId: "r2", cancelled: true });
    expect(store.pending.value).toEqual([]);
    store.dispose();
  });

  it("remembers the todo strip within bounds", () => {
    const { store } = storeWith(() => json(200, {}));
    store.setStrip({ open: true, height: 5000 });
    expect(JSON.parse(localStorage.getItem(STRIP_KEY)!)).toEqual({ open: true, height: 600 });
    store.dispose();
    const again = storeWith(() => json(200, {})).store;
    expect(again.strip.value).toEqual({ open: true, height: 600 });
    again.dispose();
  });
});

const settle = () => new Promise((r) => setTimeout(r, 20));

function mount(node: preact.ComponentChild, handler: (method: string, path: string, body: unknown) => Response) {
  const s = storeWith(handler);
  const ui = createUiStore(localStorage);
  const app = { ui, tools: s.store } as unknown as AppState;
  const root = document.createElement("div");
  document.body.appendChild(root);
  render(<AppContext.Provider value={app}>{node}</AppContext.Provider>, root);
  return { root, ...s };
}

describe("question panel", () => {
  it("walks the questions with Next and sends the answers", async () => {
    const { root, emit, calls } = mount(<AskUserPanel request={request} waiting={0} />, () => json(204, undefined));
    emit({ type: "ask_user_question", requestId: "r1", questions: request.questions });
    const radios = root.querySelectorAll<HTMLInputElement>('input[type="radio"]');
    radios[1].click(); // SQLite
    await settle();
    expect(root.querySelector(".ask-preview")?.textContent).toContain("one file");
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Next")!.click();
    await settle();
    const boxes = root.querySelectorAll<HTMLInputElement>('input[type="checkbox"]');
    boxes[2].click();
    await settle();
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Submit")!.click();
    await settle();
    expect(calls[0].body).toEqual({
      requestId: "r1",
      answers: [
        { questionIndex: 0, question: "Which database?", kind: "option", answer: "SQLite", preview: "**one file**" },
        { questionIndex: 1, question: "Which extras?", kind: "multi", answer: null, selected: ["API"] },
      ],
    });
    render(null, root);
  });

  it("Chat about this cancels", async () => {
    const { root, calls } = mount(<AskUserPanel request={request} waiting={1} />, () => json(204, undefined));
    expect(root.textContent).toContain("1 more after this");
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Chat about this")!.click();
    await settle();
    expect(calls[0].body).toMatchObject({ requestId: "r1", cancelled: true, answers: [{ questionIndex: 0, kind: "chat", answer: null }] });
    render(null, root);
  });
});

describe("processes tab", () => {
  it("lists, expands with the output tail, kills and sends stdin", async () => {
    const { root, emit, calls } = mount(<ProcessesPanel />, (_method, path) => {
      if (path.startsWith("/sessions/s1/processes/a/output")) return json(200, { stdout: ["booting", "ready"], stderr: [], status: "running" });
      if (path.endsWith("/kill") || path.endsWith("/stdin")) return json(200, { ok: true });
      return json(404, { error: "not_found" });
    });
    emit({ type: "process_update", processes: [proc("b", "exited", 1), proc("a", "running", 2)] });
    await settle();
    expect(root.textContent).toContain("1 running");
    expect(root.textContent).toContain("In-memory only");
    const heads = root.querySelectorAll<HTMLButtonElement>(".proc-head");
    expect(heads[0].textContent).toContain("job-a");
    heads[0].click();
    await vi.waitFor(() => expect(root.querySelector(".proc-tail pre")?.textContent).toBe("booting\nready"));
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Kill")!.click();
    const input = root.querySelector<HTMLInputElement>(".proc-stdin input.tool-input")!;
    input.value = "yes";
    input.dispatchEvent(new Event("input"));
    await settle();
    root.querySelector<HTMLFormElement>(".proc-stdin")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(calls.map((c) => `${c.method} ${c.path.split("?")[0]}`)).toEqual([
      "GET /sessions/s1/processes/a/output",
      "POST /sessions/s1/processes/a/kill",
      "POST /sessions/s1/processes/a/stdin",
    ]);
    expect(calls[2].body).toEqual({ input: "yes\n" });
    render(null, root);
  });
});
