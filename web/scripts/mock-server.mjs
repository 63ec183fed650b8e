// A stand-in for the pi-forge server, for working on the UI without the Go
// binary: serves dist/ and fakes the /api/v1 routes the UI calls, with a
// scripted agent that streams compact deltas with event ids. Dev only.
//
//   node scripts/mock-server.mjs [port]     MOCK_AUTH=1 turns sign-in on (password "pw")
//   MOCK_MESSAGES=1000 seeds a long transcript.
import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { extname, join } from "node:path";
import { randomUUID } from "node:crypto";

const port = Number(process.argv[2] ?? 4173);
const dist = new URL("../dist/", import.meta.url).pathname;
const auth = process.env.MOCK_AUTH === "1";
const now = () => Date.now();
const root = "/workspace";
const dirs = new Set([root, `${root}/demo`, `${root}/demo/src`, `${root}/other`]);
const projects = [{ id: randomUUID(), name: "demo", path: `${root}/demo`, createdAt: new Date().toISOString() }];
const sessions = new Map(); // id -> {summary, messages, clients:Set, seq, streaming}

// The session file as a tree: every message is an entry under the leaf.
function push(s, msg) {
  const e = { id: randomUUID().slice(0, 8), parentId: s.leafId, type: "message", role: msg.role, timestamp: new Date().toISOString(), message: msg };
  s.entries.push(e);
  s.leafId = e.id;
  s.messages.push(msg);
}
function pathOf(s, id) {
  const by = new Map(s.entries.map((e) => [e.id, e]));
  const out = [];
  for (let e = by.get(id); e; e = by.get(e.parentId)) out.unshift(e);
  return out;
}
function textOf(m) {
  return typeof m.content === "string" ? m.content : (m.content ?? []).map((b) => (b.type === "text" ? b.text : b.type === "toolCall" ? `[${b.name}]` : "")).join(" ");
}
function treeOf(s) {
  const labels = s.labels ?? {};
  return {
    leafId: s.leafId,
    branchIds: pathOf(s, s.leafId).map((e) => e.id),
    entries: s.entries.map((e) => {
      const pv = textOf(e.message).replace(/\s+/g, " ").trim();
      return { id: e.id, parentId: e.parentId, type: e.type, timestamp: e.timestamp, role: e.role, preview: pv.length > 200 ? pv.slice(0, 200) + "…" : pv, label: labels[e.id] };
    }),
  };
}

function newSession(projectId, messages = []) {
  const id = randomUUID();
  const t = new Date().toISOString();
  const s = {
    summary: { sessionId: id, projectId, isLive: true, workspacePath: projects[0].path, createdAt: t, lastActivityAt: t, messageCount: messages.length, firstMessage: "", isStreaming: false, modelProvider: "mock", modelId: "mock-large", thinkingLevel: "medium" },
    messages: [],
    entries: [],
    leafId: null,
    clients: new Set(),
    seq: 0,
    stream: randomUUID().slice(0, 8),
    streaming: false,
    timers: [],
  };
  for (const m of messages) push(s, m);
  sessions.set(id, s);
  return s;
}

const seed = [];
const many = Number(process.env.MOCK_MESSAGES ?? 0);
for (let i = 0; i < many; i += 2) {
  seed.push({ role: "user", content: `Question ${i / 2}: what about item ${i}?`, timestamp: now() - (many - i) * 60000 });
  seed.push({ role: "assistant", content: [{ type: "text", text: `Answer ${i / 2}.\n\n- point one\n- point **two**\n\n\`\`\`js\nconsole.log(${i});\n\`\`\`` }], timestamp: now() - (many - i) * 60000 + 1000, stopReason: "stop", model: "mock-large", usage: { input: 900, output: 120, cacheRead: 0, cacheWrite: 0, totalTokens: 1020, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0.0012 } } });
}
newSession(projects[0].id, seed).summary.name = many ? `Long transcript (${many})` : undefined;

function send(s, ev, client) {
  const id = `${s.stream}:${++s.seq}`;
  const frame = `id: ${id}\ndata: ${JSON.stringify(ev)}\n\n`;
  for (const c of client ? [client] : s.clients) c.write(frame);
}

const reply = [
  "Here is what I found in the project.\n\n",
  "## Summary\n\n",
  "| file | lines | state |\n|---|---:|---|\n| `main.go` | 120 | ok |\n| `server.go` | 340 | **needs work** |\n\n",
  "The fix is small:\n\n```go\nfunc (s *Server) Close() error {\n\treturn s.ln.Close() // stop accepting first\n}\n```\n\n",
  "Energy is $E = mc^2$, and costs stay $5 and $10.\n\n",
  "1. Run the tests\n2. Ship it\n",
];

function runAgent(s, text) {
  s.streaming = true;
  const steps = [];
  const at = (ms, fn) => steps.push([ms, fn]);
  let t = 0;
  at((t += 50), () => send(s, { type: "agent_start" }));
  const user = { role: "user", content: text, timestamp: now() };
  at((t += 10), () => { push(s, user); send(s, { type: "message_start", message: user }); send(s, { type: "message_end", message: user }); });
  const a1 = { role: "assistant", content: [], timestamp: now(), model: "mock-large", provider: "mock" };
  at((t += 100), () => send(s, { type: "message_start", message: a1 }));
  at((t += 50), () => send(s, { type: "message_update", assistantMessageEvent: { type: "thinking_start", contentIndex: 0 } }));
  for (const w of "The user wants a look at the project. I should list files first, then read the server.".split(" "))
    at((t += 40), () => send(s, { type: "message_update", assistantMessageEvent: { type: "thinking_delta", contentIndex: 0, delta: w + " " } }));
  const thinking = "The user wants a look at the project. I should list files first, then read the server.";
  at((t += 20), () => send(s, { type: "message_update", assistantMessageEvent: { type: "thinking_end", contentIndex: 0, content: thinking } }));
  const call = { type: "toolCall", id: "call_" + randomUUID().slice(0, 6), name: "bash", arguments: { command: "ls -la && sleep 1 && echo done" } };
  at((t += 50), () => send(s, { type: "message_update", assistantMessageEvent: { type: "toolcall_start", contentIndex: 1, toolCall: { id: call.id, name: "bash" } } }));
  for (const frag of ['{"comm', 'and":"ls -la', " && sleep 1 && echo done", '"}'])
    at((t += 120), () => send(s, { type: "message_update", assistantMessageEvent: { type: "toolcall_delta", contentIndex: 1, delta: frag } }));
  at((t += 50), () => send(s, { type: "message_update", assistantMessageEvent: { type: "toolcall_end", contentIndex: 1, toolCall: call } }));
  const a1final = { ...a1, content: [{ type: "thinking", thinking }, call], stopReason: "toolUse", usage: { input: 1200, output: 80, cacheRead: 0, cacheWrite: 0, totalTokens: 1280, cost: { input: 0.001, output: 0.0008, cacheRead: 0, cacheWrite: 0, total: 0.0018 } } };
  at((t += 20), () => { push(s, a1final); send(s, { type: "message_end", message: a1final }); });
  at((t += 20), () => send(s, { type: "tool_execution_start", toolCallId: call.id, toolName: "bash", args: call.arguments }));
  let out = "";
  for (const line of ["total 24", "drwxr-xr-x  5 dev dev 4096 .", "-rw-r--r--  1 dev dev  120 main.go", "-rw-r--r--  1 dev dev  340 server.go"]) {
    at((t += 300), () => { out += line + "\n"; send(s, { type: "tool_execution_update", toolCallId: call.id, toolName: "bash", args: call.arguments, partialResult: { content: [{ type: "text", text: out }] } }); });
  }
  at((t += 600), () => {
    out += "done\n";
    const result = { content: [{ type: "text", text: out }], details: {} };
    send(s, { type: "tool_execution_end", toolCallId: call.id, toolName: "bash", result, isError: false });
    const tr = { role: "toolResult", toolCallId: call.id, toolName: "bash", content: result.content, isError: false, timestamp: now() };
    push(s, tr);
    send(s, { type: "message_start", message: tr });
    send(s, { type: "message_end", message: tr });
  });
  const edit = { type: "toolCall", id: "call_" + randomUUID().slice(0, 6), name: "edit", arguments: { path: `${root}/demo/server.go`, edits: [{ oldText: "return nil", newText: "return s.ln.Close()" }] } };
  const a2 = { role: "assistant", content: [edit], timestamp: now(), model: "mock-large", stopReason: "toolUse" };
  at((t += 100), () => { push(s, a2); send(s, { type: "message_start", message: { ...a2, content: [] } }); send(s, { type: "message_end", message: a2 }); send(s, { type: "tool_execution_start", toolCallId: edit.id, toolName: "edit", args: edit.arguments }); });
  at((t += 300), () => {
    const diff = "  8 func (s *Server) Close() error {\n- 9 \treturn nil\n+ 9 \treturn s.ln.Close() // stop accepting first\n 10 }";
    const result = { content: [{ type: "text", text: "Applied 1 edit." }], details: { diff, firstChangedLine: 9 } };
    send(s, { type: "tool_execution_end", toolCallId: edit.id, toolName: "edit", result, isError: false });
    const tr = { role: "toolResult", toolCallId: edit.id, toolName: "edit", content: result.content, details: result.details, isError: false, timestamp: now() };
    push(s, tr);
    send(s, { type: "message_start", message: tr });
    send(s, { type: "message_end", message: tr });
  });
  const a3 = { role: "assistant", content: [], timestamp: now(), model: "mock-large" };
  at((t += 100), () => { send(s, { type: "message_start", message: a3 }); send(s, { type: "message_update", assistantMessageEvent: { type: "text_start", contentIndex: 0 } }); });
  let full = "";
  for (const chunk of reply) for (const piece of chunk.match(/.{1,6}/gs)) at((t += 15), () => { full += piece; send(s, { type: "message_update", assistantMessageEvent: { type: "text_delta", contentIndex: 0, delta: piece } }); });
  at((t += 20), () => {
    send(s, { type: "message_update", assistantMessageEvent: { type: "text_end", contentIndex: 0, content: full } });
    const fin = { ...a3, content: [{ type: "text", text: full }], stopReason: "stop", usage: { input: 2400, output: 310, cacheRead: 1200, cacheWrite: 0, totalTokens: 3910, cost: { input: 0.002, output: 0.003, cacheRead: 0.0001, cacheWrite: 0, total: 0.0051 } } };
    push(s, fin);
    send(s, { type: "message_end", message: fin });
    send(s, { type: "agent_end", messages: [] });
    s.streaming = false;
  });
  s.timers = steps.map(([ms, fn]) => setTimeout(fn, ms));
}

function json(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

async function body(req) {
  let raw = "";
  for await (const c of req) raw += c;
  try { return raw ? JSON.parse(raw) : {}; } catch { return {}; }
}

function api(req, res, url) {
  const p = url.pathname.replace("/api/v1", "");
  const m = req.method;
  const open = ["/ui-config", "/auth/status", "/auth/login", "/health"].includes(p);
  if (auth && !open && req.headers.authorization !== "Bearer mock-token") return json(res, 401, { error: "missing_token" });
  if (p === "/ui-config") return json(res, 200, { minimal: false, workspaceRoot: root, version: "0.0.0-mock", passwordAuthEnabled: auth, ldapEnabled: false, orchestrationEnabled: false, serverTheme: { enabled: false, colors: {} }, authBannerText: auth ? "Mock server: the password is <b>pw</b>." : undefined, authBannerHtml: true });
  if (p === "/auth/status") return json(res, 200, { authEnabled: auth, ldapEnabled: false });
  if (p === "/auth/login") return body(req).then((b) => (b.password === "pw" ? json(res, 200, { token: "mock-token", expiresAt: new Date(now() + 3600e3).toISOString(), mustChangePassword: false }) : json(res, 401, { error: "invalid_password" })));
  if (p === "/projects" && m === "GET") return json(res, 200, { projects });
  if (p === "/projects" && m === "POST") return body(req).then((b) => { const pr = { id: randomUUID(), name: b.name, path: b.path, createdAt: new Date().toISOString() }; projects.push(pr); json(res, 201, pr); });
  if (p === "/projects/order") return body(req).then((b) => { projects.sort((a, c) => b.ids.indexOf(a.id) - b.ids.indexOf(c.id)); json(res, 200, { projects }); });
  if (p === "/projects/browse") {
    const path = url.searchParams.get("path") || root;
    const entries = [...dirs].filter((d) => d.startsWith(path + "/") && !d.slice(path.length + 1).includes("/")).sort().map((d) => ({ name: d.split("/").pop(), path: d, isGitRepo: d.endsWith("demo") }));
    return json(res, 200, { path, parentPath: path === root ? null : path.split("/").slice(0, -1).join("/") || "/", entries });
  }
  if (p === "/projects/browse/mkdir") return body(req).then((b) => { const d = `${b.parentPath}/${b.name}`; if (dirs.has(d)) return json(res, 409, { error: "already_exists" }); dirs.add(d); json(res, 201, { path: d }); });
  let mm = /^\/projects\/([^/]+)$/.exec(p);
  if (mm && m === "PATCH") return body(req).then((b) => { const pr = projects.find((x) => x.id === mm[1]); pr.name = b.name; json(res, 200, pr); });
  if (mm && m === "DELETE") { const i = projects.findIndex((x) => x.id === mm[1]); projects.splice(i, 1); return json(res, 200, { cascaded: true }); }
  if (p === "/sessions" && m === "GET") return json(res, 200, { sessions: [...sessions.values()].filter((s) => s.summary.projectId === url.searchParams.get("projectId")).map((s) => s.summary) });
  if (p === "/sessions" && m === "POST") return body(req).then((b) => json(res, 201, newSession(b.projectId).summary));
  if (p === "/config/providers") return json(res, 200, { providers: [{ provider: "mock", models: [{ id: "mock-large", name: "Mock Large", contextWindow: 128000, maxTokens: 8192, reasoning: true, input: ["text"], hasAuth: true, supportedThinkingLevels: ["off", "low", "medium", "high"] }, { id: "mock-small", name: "Mock Small", contextWindow: 32000, maxTokens: 4096, reasoning: false, input: ["text"], hasAuth: true, supportedThinkingLevels: [] }] }] });
  if (p === "/config/prompts") return json(res, 200, { prompts: [{ name: "review", description: "Review the last change", argumentHint: "<path>", source: "project", filePath: `${root}/demo/.pi/prompts/review.md`, enabled: true, effective: true }], diagnostics: [] });
  if (p === "/config/skills") return json(res, 200, { skills: [{ name: "pdf", description: "Read and fill PDF forms", source: "global", filePath: "/home/u/.pi/agent/skills/pdf/SKILL.md", enabled: true, effective: true, disableModelInvocation: false }], diagnostics: [] });
  if (p === "/config/tools") return json(res, 200, { builtin: ["read", "bash", "edit", "write", "grep", "find", "ls"].map((n) => ({ name: n, description: `The ${n} tool`, enabled: true, globalEnabled: true })), mcp: [], extension: [] });
  if (/^\/config\/(skills|prompts|tools)\/overrides$/.test(p)) return json(res, 200, { projects: {} });
  if (p === "/config/auth" && m === "GET") return json(res, 200, { providers: { mock: { configured: true, source: "stored", label: "Stored API key" } } });
  if (p.startsWith("/config/auth/")) return m === "DELETE" ? json(res, 204) : json(res, 200, { provider: p.split("/").pop(), configured: true });
  if (p === "/config/models") return m === "PUT" ? body(req).then((b) => (b.providers ? json(res, 200, b) : json(res, 400, { error: "Bad Request", message: "body must have required property 'providers'" }))) : json(res, 200, { providers: { mock: { baseUrl: "http://127.0.0.1:1/v1", api: "openai-completions", apiKey: "***REDACTED***", models: [{ id: "mock-large" }] } } });
  if (p === "/config/settings") return m === "PUT" ? body(req).then((b) => json(res, 200, b)) : json(res, 200, { defaultProvider: "mock", defaultModel: "mock-large", defaultThinkingLevel: "medium" });
  if (p === "/config/theme") return json(res, 200, { enabled: false, colors: {}, defaults: { appBackground: "#0a0a0a", panelBackground: "#171717", userBubbleBackground: "#262626", assistantBubbleBackground: "#171717", primaryText: "#f5f5f5", secondaryText: "#d4d4d4", mutedText: "#a3a3a3", highlightBackground: "#facc15", highlightText: "#111827", selectionBackground: "#525252" } });
  if (p === "/files/complete") {
    const q = (url.searchParams.get("query") ?? "").toLowerCase();
    const all = ["README.md", "go.mod", "main.go", "server.go", "src/", "src/app.ts", "src/my file.ts", "docs/", "docs/design notes.md"];
    return json(res, 200, { paths: all.filter((x) => x.toLowerCase().includes(q)).slice(0, Number(url.searchParams.get("limit") ?? 50)) });
  }
  if (/^\/projects\/[^/]+\/system-prompt$/.test(p)) return m === "PUT" ? body(req).then((b) => json(res, 200, { addendum: b.addendum, maxBytes: 20000 })) : json(res, 200, { addendum: "", maxBytes: 20000 });
  mm = /^\/sessions\/([^/]+)(\/[\w-]+)?$/.exec(p);
  const s = mm && sessions.get(mm[1]);
  if (!s) return json(res, 404, { error: "session_not_found" });
  switch (mm[2] ?? "") {
    case "":
      if (m === "DELETE") { sessions.delete(mm[1]); return json(res, 204); }
      return json(res, 200, s.summary);
    case "/name":
      return body(req).then((b) => { s.summary.name = b.name; json(res, 200, s.summary); });
    case "/messages":
      return json(res, 200, { messages: s.messages });
    case "/tree":
      return json(res, 200, treeOf(s));
    case "/compactions":
      return json(res, 200, { compactions: [] });
    case "/fork":
      return body(req).then((b) => {
        const path = pathOf(s, b.entryId);
        if (path.length === 0) return json(res, 400, { error: "entry_not_found" });
        const n = newSession(s.summary.projectId, path.map((e) => e.message));
        n.summary.name = `${s.summary.name ?? "Session"} (fork)`;
        json(res, 201, n.summary);
      });
    case "/navigate":
      return body(req).then((b) => {
        const target = s.entries.find((e) => e.id === b.entryId);
        if (!target) return json(res, 400, { error: "entry_not_found" });
        const user = target.role === "user";
        s.leafId = user ? target.parentId : target.id;
        if (b.label) (s.labels ??= {})[target.id] = b.label;
        s.messages = pathOf(s, s.leafId).map((e) => e.message);
        json(res, 200, { cancelled: false, editorText: user ? textOf(target.message) : undefined });
      });
    case "/exec":
      return body(req).then((b) => setTimeout(() => {
        const out = { exitCode: 0, output: `ran: ${b.command}\n`, durationMs: 12, truncated: false, cancelled: false };
        s.messages.push({ role: "bashExecution", command: b.command, output: out.output, exitCode: 0, excludeFromContext: !!b.excludeFromContext, timestamp: now() });
        json(res, 200, out);
      }, 300));
    case "/context":
      return json(res, 200, { messages: s.messages, totalInputTokens: 3600, totalOutputTokens: 390, totalCacheReadTokens: 1200, totalCacheWriteTokens: 0, totalTokens: 5190, totalCost: 0.0069, turns: [], contextUsage: { contextWindow: 128000, tokens: 19200, percent: 15 } });
    case "/prompt":
      return body(req).then((b) => { if (!s.streaming) runAgent(s, b.text ?? "(a message with attachments)"); json(res, 202, { accepted: true }); });
    case "/abort":
      s.timers.forEach(clearTimeout);
      s.streaming = false;
      send(s, { type: "agent_end", messages: [] });
      return json(res, 204);
    case "/compact":
      send(s, { type: "compaction_start", reason: "manual" });
      setTimeout(() => send(s, { type: "compaction_end", reason: "manual", aborted: false, willRetry: false, result: { tokensBefore: 19200 } }), 500);
      return json(res, 200, { summary: "…", tokensBefore: 19200, tokensAfter: 3000 });
    case "/model":
      return body(req).then((b) => { s.summary.modelProvider = b.provider; s.summary.modelId = b.modelId; json(res, 200, b); });
    case "/thinking-level":
      return body(req).then((b) => { s.summary.thinkingLevel = b.level; json(res, 200, b); });
    case "/stream": {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      send(s, { type: "snapshot", sessionId: mm[1], projectId: s.summary.projectId, messages: s.messages, isStreaming: s.streaming, name: s.summary.name }, res);
      s.clients.add(res);
      const hb = setInterval(() => res.write(`: heartbeat\n\n`), 20000);
      req.on("close", () => { clearInterval(hb); s.clients.delete(res); });
      return;
    }
  }
  return json(res, 404, { error: "not_found" });
}

const types = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".webmanifest": "application/manifest+json" };
createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname.startsWith("/api/")) return api(req, res, url);
  let file = join(dist, url.pathname);
  if (!url.pathname.includes(".") || !existsSync(file)) file = join(dist, "index.html");
  res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream", "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'" });
  res.end(readFileSync(file));
}).listen(port, "127.0.0.1", () => console.log(`mock pi-forge on http://127.0.0.1:${port}`));
