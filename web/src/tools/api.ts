// The process, todo and question routes over the one API client.

import type { Api } from "../api/client";
import type { AnswerBody, ProcessInfo, ProcessOutput, QuestionRequest, TodoState } from "./types";

export type ToolsApi = ReturnType<typeof toolsApi>;

export function toolsApi(api: Api) {
  const enc = encodeURIComponent;
  const base = (sid: string) => `/sessions/${enc(sid)}`;
  const proc = (sid: string, id: string) => `${base(sid)}/processes/${enc(id)}`;
  return {
    processes: (sid: string) => api.request<{ processes: ProcessInfo[] }>("GET", `${base(sid)}/processes`),
    output: (sid: string, id: string, tail = 200) => api.request<ProcessOutput>("GET", `${proc(sid, id)}/output`, { query: { tail } }),
    kill: (sid: string, id: string) => api.request<{ ok: boolean; reason?: string }>("POST", `${proc(sid, id)}/kill`),
    stdin: (sid: string, id: string, input: string, end = false) =>
      api.request<{ ok: boolean; reason?: string }>("POST", `${proc(sid, id)}/stdin`, { body: end ? { input, end } : { input } }),
    clearFinished: (sid: string) => api.request<{ cleared: number }>("DELETE", `${base(sid)}/processes`),
    /** logFile fetches a whole log with the bearer token (a plain link could not send it). */
    async logFile(sid: string, id: string, stream: "stdout" | "stderr"): Promise<Blob> {
      const headers: Record<string, string> = {};
      const token = api.token.get();
      if (token) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(`${api.base}${proc(sid, id)}/logs/file?stream=${stream}`, { headers });
      if (!res.ok) throw new Error(`The log could not be loaded (HTTP ${res.status}).`);
      return res.blob();
    },
    todos: (sid: string) => api.request<TodoState>("GET", `${base(sid)}/todos`),
    pending: (sid: string) => api.request<{ pending: QuestionRequest[] }>("GET", `${base(sid)}/ask-user-question/pending`),
    answer: (sid: string, body: AnswerBody) => api.request<void>("POST", `${base(sid)}/ask-user-question/answer`, { body }),
  };
}
