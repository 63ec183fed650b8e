// Measures the UI against the real binary and the fake LLM (e2e/harness.mjs):
//
// 1. the JS and CSS a fresh browser downloads (gzipped, as the server sends
//    them) before the chat of an open session is interactive;
// 2. frame times while a long reply streams into a long transcript.
//
//   cd web && node e2e/perf.mjs [--messages 1000] [--words 2000] [--delay 5]
//
// The transcript is a session file written straight into the session dir
// (user and assistant turns with Markdown, code, lists and tool calls). The
// reply is one fake-LLM response of --words words in paragraphs, lists and
// code blocks, one word per delta, --delay ms apart. Numbers depend on the machine; the idle baseline is printed too.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startStack } from "./harness.mjs";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const MESSAGES = arg("messages", 1000);
const WORDS = arg("words", 2000);
const DELAY = arg("delay", 5);
const log = (...a) => console.error(...a);

const LOREM = "the agent reads the file and then edits the function so that the server closes its listener before it drains open connections".split(" ");
const words = (n, seed) => Array.from({ length: n }, (_, i) => LOREM[(i * 7 + seed) % LOREM.length]).join(" ");

/** reply is a Markdown answer of about n words: paragraphs of ~80 words, with a list and a code block now and then. */
function reply(n) {
  const parts = [];
  let count = 0;
  for (let i = 0; count < n; i++) {
    const len = Math.min(80, n - count);
    parts.push(i % 6 === 5 ? `- ${words(len / 2, i)}\n- ${words(len - len / 2, i + 1)}` : words(len, i) + ".");
    if (i % 9 === 8) parts.push("```go\nif err := s.ln.Close(); err != nil {\n\treturn err\n}\n```");
    count += len;
  }
  return parts.join("\n\n");
}

/** transcript builds n messages of realistic shape: prose, lists, code, tables, tool calls and results. */
function transcript(n) {
  const out = [];
  let t = Date.now() - n * 60_000;
  for (let turn = 0; out.length < n; turn++) {
    out.push({ role: "user", content: [{ type: "text", text: `Question ${turn}: ${words(12 + (turn % 20), turn)}?` }], timestamp: (t += 30_000) });
    if (turn % 5 === 4 && out.length + 3 <= n) {
      const id = `call_${turn}`;
      out.push({ role: "assistant", content: [{ type: "toolCall", id, name: "bash", arguments: { command: `grep -rn listener src/ | head -${turn % 9}` } }], stopReason: "toolUse", timestamp: (t += 5000) });
      out.push({ role: "toolResult", toolCallId: id, toolName: "bash", content: [{ type: "text", text: Array.from({ length: 8 }, (_, i) => `src/server${i}.go:${10 + i}: ln.Close() // ${words(6, i)}`).join("\n") }], isError: false, timestamp: (t += 1000) });
    }
    const md = [
      `Answer ${turn}. ${words(40 + (turn % 30), turn + 1)}.`,
      `- ${words(8, turn)}\n- **${words(3, turn + 2)}** and \`code\`\n- ${words(10, turn + 3)}`,
      "```go\nfunc (s *Server) Close() error {\n\tif err := s.ln.Close(); err != nil {\n\t\treturn fmt.Errorf(\"close: %w\", err)\n\t}\n\treturn s.drain()\n}\n```",
      turn % 4 === 0 ? "| file | lines |\n|---|---:|\n| server.go | 340 |\n| main.go | 120 |" : words(25, turn + 4) + ".",
    ].join("\n\n");
    if (out.length < n)
      out.push({
        role: "assistant",
        content: [{ type: "text", text: md }],
        provider: "fake",
        model: "fake-model",
        stopReason: "stop",
        usage: { input: 1200, output: 150, cacheRead: 0, cacheWrite: 0, totalTokens: 1350, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
        timestamp: (t += 10_000),
      });
  }
  return out.slice(0, n);
}

/** seedSession writes a pi session file holding messages into the project's session dir. */
function seedSession(dirs, project, messages) {
  const id = randomUUID();
  const now = new Date();
  const dir = join(dirs.workspace, ".pi", "sessions", project.id);
  mkdirSync(dir, { recursive: true });
  const lines = [{ type: "session", version: 3, id, timestamp: now.toISOString(), cwd: project.path }];
  let parent = null;
  for (const m of messages) {
    const eid = randomBytes(4).toString("hex");
    lines.push({ type: "message", id: eid, parentId: parent, timestamp: new Date(m.timestamp).toISOString(), message: m });
    parent = eid;
  }
  writeFileSync(join(dir, `${now.toISOString().replace(/[:.]/g, "-")}_${id}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return id;
}

function stats(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const over = (ms) => s.filter((x) => x > ms).length;
  return { frames: s.length, mean: +mean.toFixed(2), p50: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), p99: +q(0.99).toFixed(2), max: +s[s.length - 1].toFixed(2), over33ms: over(33.4), over50ms: over(50) };
}

const SAMPLER = () => {
  const w = window;
  w.__frames = [];
  w.__stop = false;
  let last = performance.now();
  const tick = (t) => {
    w.__frames.push(t - last);
    last = t;
    if (!w.__stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};
const STOP = () => {
  window.__stop = true;
  return { frames: window.__frames.slice(1) };
};

/** mainThread reads Chromium's cumulative main-thread times (seconds) over CDP. */
async function mainThread(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { task: m.TaskDuration, script: m.ScriptDuration, layout: m.LayoutDuration, style: m.RecalcStyleDuration };
}

async function main() {
  const stack = await startStack({ log });
  try {
    const res = await fetch(`${stack.base}/api/v1/projects`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "perf", path: join(stack.dirs.workspace, "demo") }) });
    const project = await res.json();
    const sessionId = seedSession(stack.dirs, project, transcript(MESSAGES));
    // No service worker: the first load must come from the network, as a new visitor's does.
    const { context, page } = await stack.browser({ serviceWorkers: "block" });
    page.setDefaultTimeout(60_000);
    await page.addInitScript(([pid, sid]) => localStorage.setItem("pi-forge/active", JSON.stringify({ projectId: pid, sessionId: sid })), [project.id, sessionId]);

    // 1. What a fresh browser downloads before the chat is interactive.
    const t0 = Date.now();
    await page.goto(stack.base);
    await page.locator(".conn-live").waitFor();
    await page.locator(".transcript .row").first().waitFor();
    await page.locator("#composer-input:not([disabled])").waitFor();
    const interactiveMs = Date.now() - t0;
    const loaded = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => /\.(js|css)(\?|$)/.test(e.name))
        .map((e) => ({ name: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0]?.transferSize ?? 0);
    const sum = (k) => loaded.reduce((a, e) => a + e[k], 0);
    const rows = await page.locator(".transcript .row").count();

    // 2. Frame times: idle first (the machine's floor), then a long reply streaming in.
    await page.evaluate(SAMPLER);
    await page.waitForTimeout(2000); // a fixed idle window is the measurement itself
    const idle = await page.evaluate(STOP);
    await stack.fake.script([{ blocks: [{ type: "text", text: reply(WORDS) }], delayMs: DELAY }]);
    await page.locator("#composer-input").fill("Write a long answer");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const before = await mainThread(cdp);
    await page.evaluate(SAMPLER);
    const s0 = Date.now();
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator("article.streaming").waitFor();
    await page.locator("article.streaming").waitFor({ state: "detached", timeout: 120_000 });
    const streamMs = Date.now() - s0;
    const streaming = await page.evaluate(STOP);
    const after = await mainThread(cdp);
    const busy = Object.fromEntries(Object.keys(after).map((k) => [`${k}Ms`, Math.round((after[k] - before[k]) * 1000)]));
    const domNodes = await page.evaluate(() => document.getElementsByTagName("*").length);

    const report = {
      target: "real pi-forge binary + fake LLM, headless Chromium (--disable-gpu)",
      transcript: { messages: MESSAGES, renderedRows: rows, domNodes },
      initialLoad: {
        jsCssGzippedBytes: sum("encoded"),
        jsCssTransferBytes: sum("transfer"),
        htmlTransferBytes: nav,
        files: loaded,
        interactiveMs,
      },
      idleFrames: stats(idle.frames),
      streaming: { words: WORDS, deltaEveryMs: DELAY, durationMs: streamMs, frames: stats(streaming.frames), mainThread: { ...busy, busyShare: +(busy.taskMs / streamMs).toFixed(3) } },
    };
    console.log(JSON.stringify(report, null, 2));
    log(
      `\ninitial JS+CSS: ${(report.initialLoad.jsCssGzippedBytes / 1024).toFixed(1)} KB gzipped (${loaded.length} files, ${(report.initialLoad.jsCssTransferBytes / 1024).toFixed(1)} KB with headers), chat interactive after ${interactiveMs} ms with ${MESSAGES} messages`,
    );
    log(`idle frames:      mean ${report.idleFrames.mean} ms, p95 ${report.idleFrames.p95} ms, max ${report.idleFrames.max} ms`);
    const f = report.streaming.frames;
    const mt = report.streaming.mainThread;
    log(`streaming frames: mean ${f.mean} ms, p50 ${f.p50}, p95 ${f.p95}, p99 ${f.p99}, max ${f.max} ms; ${f.over50ms}/${f.frames} frames over 50 ms`);
    log(`main thread while streaming (${streamMs} ms): busy ${mt.taskMs} ms (${(mt.busyShare * 100).toFixed(1)}%): script ${mt.scriptMs}, layout ${mt.layoutMs}, style ${mt.styleMs} ms`);
  } finally {
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
