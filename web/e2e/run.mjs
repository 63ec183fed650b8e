// Browser tests: the real pi-forge binary and the fake LLM, driven in headless
// Chromium (the Debian package, never a downloaded browser) through
// playwright-core. The runner builds the two Go programs into a temp dir,
// starts them with temp HOME, workspace, data and pi config dirs, runs the
// scenarios in e2e/scenarios.mjs, and stops everything it started by PID.
//
//   cd web && node e2e/run.mjs                     all scenarios
//   node e2e/run.mjs --only login,theme            some of them
//   E2E_SCREENSHOTS=1 node e2e/run.mjs             also write docs/images/*.png
//   E2E_KEEP=1 node e2e/run.mjs                    keep the temp dir (logs)
//   PI_FORGE_BIN=../bin/pi-forge node e2e/run.mjs  test a binary built already
//
// It needs Go, Node and /usr/bin/chromium (apt-get install chromium); set
// CHROMIUM to use another binary.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, createWriteStream, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { scenarios } from "./scenarios.mjs";

const web = resolve(new URL("..", import.meta.url).pathname);
const repo = resolve(web, "..");
const PASSWORD = "e2e-password-1";
const DEADLINE_MS = 170_000;
const args = process.argv.slice(2);
const only = (() => {
  const i = args.indexOf("--only");
  return i >= 0 ? new Set(args[i + 1].split(",")) : null;
})();

const started = []; // child processes, stopped by PID at the end
const tmp = mkdtempSync(join(tmpdir(), "pi-forge-e2e-"));
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);

function goBuild(out, pkg) {
  execFileSync("go", ["build", "-o", out, pkg], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function start(name, cmd, argv, env) {
  const out = createWriteStream(join(tmp, `${name}.log`));
  const child = spawn(cmd, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.pipe(out);
  started.push({ name, child });
  child.once("exit", (code, sig) => {
    if (!stopping) log(`${name} exited (${code ?? sig})`);
  });
  return child;
}

/** firstLine resolves with the first stdout line of a child (the fake LLM prints its URL). */
function firstLine(child, ms = 15_000) {
  return new Promise((res, rej) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => rej(new Error("no output in time")), ms);
    rl.once("line", (line) => {
      clearTimeout(timer);
      res(line.trim());
    });
    child.once("exit", () => rej(new Error("exited before printing its address")));
  });
}

/** waitHealthy polls /health (the server has no readiness event to wait on) until a deadline. */
async function waitHealthy(base, child, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`pi-forge exited (${child.exitCode}); see ${tmp}/pi-forge.log`);
    try {
      const r = await fetch(`${base}/api/v1/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("pi-forge did not become healthy");
}

let stopping = false;
async function stopAll() {
  stopping = true;
  await Promise.all(
    started.map(
      ({ child }) =>
        new Promise((res) => {
          if (child.exitCode !== null || child.signalCode !== null) return res();
          const kill = setTimeout(() => {
            try {
              process.kill(child.pid, "SIGKILL");
            } catch {
              // already gone
            }
          }, 5000);
          child.once("exit", () => {
            clearTimeout(kill);
            res();
          });
          try {
            process.kill(child.pid, "SIGTERM");
          } catch {
            clearTimeout(kill);
            res();
          }
        }),
    ),
  );
}

/** A scripted fake LLM: scenarios replace its script before they prompt. */
function fakeControl(url) {
  return {
    url,
    async script(responses, fallback = { mode: "echo", delayMs: 10 }) {
      const r = await fetch(`${url}/_aitest/script`, { method: "PUT", body: JSON.stringify({ responses, fallback }) });
      if (!r.ok) throw new Error(`fake LLM script: ${r.status} ${await r.text()}`);
    },
  };
}

async function main() {
  const bin = join(tmp, "bin");
  const piForge = process.env.PI_FORGE_BIN ? resolve(process.env.PI_FORGE_BIN) : join(bin, "pi-forge");
  const fakeBin = process.env.FAKELLM_BIN ? resolve(process.env.FAKELLM_BIN) : join(bin, "fakellm");
  log("building", [!process.env.PI_FORGE_BIN && "pi-forge", !process.env.FAKELLM_BIN && "the fake LLM"].filter(Boolean).join(" and ") || "nothing");
  if (!process.env.PI_FORGE_BIN) goBuild(piForge, "./cmd/pi-forge");
  if (!process.env.FAKELLM_BIN) goBuild(fakeBin, "./internal/ai/aitest/cmd/fakellm");

  const dirs = { home: join(tmp, "home"), workspace: join(tmp, "workspace"), data: join(tmp, "data"), pi: join(tmp, "pi-agent") };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.workspace, "demo"), { recursive: true });
  writeFileSync(join(dirs.workspace, "demo", "README.md"), "# demo\n\nA project for the browser tests.\n");
  writeFileSync(join(dirs.workspace, "demo", "notes with spaces.md"), "notes\n");
  const baseEnv = { PATH: process.env.PATH, HOME: dirs.home, LANG: "C.UTF-8", TZ: "UTC" };

  const fake = start("fakellm", fakeBin, ["--addr", "127.0.0.1:0", "--mode", "echo", "--delay", "10"], baseEnv);
  const fakeUrl = await firstLine(fake);
  log("fake LLM at", fakeUrl);
  writeFileSync(
    join(dirs.pi, "models.json"),
    JSON.stringify({
      providers: {
        fake: {
          baseUrl: `${fakeUrl}/v1`,
          api: "openai-completions",
          apiKey: "fake-key",
          models: [{ id: "fake-model", name: "Fake Model", reasoning: true, input: ["text", "image"], contextWindow: 128000, maxTokens: 8192 }],
        },
      },
    }),
  );
  writeFileSync(join(dirs.pi, "settings.json"), JSON.stringify({ defaultProvider: "fake", defaultModel: "fake-model", defaultThinkingLevel: "medium" }));

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = start("pi-forge", piForge, [], {
    ...baseEnv,
    HOST: "127.0.0.1",
    PORT: String(port),
    WORKSPACE_PATH: dirs.workspace,
    FORGE_DATA_DIR: dirs.data,
    PI_CONFIG_DIR: dirs.pi,
    UI_PASSWORD: PASSWORD,
    LOG_LEVEL: "warn",
  });
  await waitHealthy(base, server);
  log("pi-forge at", base);

  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install -y chromium`);
  const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
  const contexts = [];
  const ctx = {
    base,
    password: PASSWORD,
    fake: fakeControl(fakeUrl),
    workspace: dirs.workspace,
    shots: process.env.E2E_SCREENSHOTS === "1" || args.includes("--screenshots") ? join(repo, "docs", "images") : null,
    log,
    /** browser opens a fresh Chromium profile (its own user-data-dir) with these context options. */
    async browser(options = {}) {
      const profile = mkdtempSync(join(tmp, "profile-"));
      const context = await chromium.launchPersistentContext(profile, { executablePath, args: launchArgs, viewport: { width: 1280, height: 800 }, ...options });
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      const page = context.pages()[0] ?? (await context.newPage());
      page.on("pageerror", (e) => log("page error:", e.message));
      return { context, page };
    },
    state: {},
  };
  if (ctx.shots) mkdirSync(ctx.shots, { recursive: true });

  const results = [];
  for (const s of scenarios) {
    if (only && !only.has(s.name)) continue;
    const at = Date.now();
    try {
      await s.run(ctx);
      results.push({ name: s.name, ok: true, ms: Date.now() - at });
      log(`PASS ${s.name} (${Date.now() - at} ms)`);
    } catch (e) {
      results.push({ name: s.name, ok: false, ms: Date.now() - at, error: e });
      log(`FAIL ${s.name}: ${e.message.split("\n")[0]}`);
      const page = ctx.state.page;
      if (page) await page.screenshot({ path: join(tmp, `fail-${s.name}.png`) }).catch(() => undefined);
      if (s.required) break; // later scenarios build on this one
    }
  }
  for (const c of contexts) await c.close().catch(() => undefined);
  const failed = results.filter((r) => !r.ok);
  log(`${results.length - failed.length}/${results.length} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const f of failed) console.error(`\n${f.name}:\n${f.error.stack ?? f.error}`);
  if (failed.length) console.error(`\nlogs and failure screenshots: ${tmp}`);
  return failed.length === 0;
}

const guard = setTimeout(() => {
  console.error(`e2e: over ${DEADLINE_MS / 1000} s, giving up`);
  void stopAll().then(() => process.exit(1));
}, DEADLINE_MS);
for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => void stopAll().then(() => process.exit(130)));

let ok = false;
try {
  ok = await main();
} catch (e) {
  console.error(e.stack ?? e);
  console.error(`logs: ${tmp}`);
} finally {
  clearTimeout(guard);
  await stopAll();
  if (ok && process.env.E2E_KEEP !== "1") rmSync(tmp, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
