// The stack the browser tests and the measurements run against: the real
// pi-forge binary and the fake LLM, built into a temp dir and started with
// temp HOME, workspace, data and pi config dirs; Chromium from Debian driven
// by playwright-core. Everything started here is stopped by PID.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, createWriteStream, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const web = resolve(new URL("..", import.meta.url).pathname);
export const repo = resolve(web, "..");
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

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
async function waitHealthy(base, child, logFile, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`pi-forge exited (${child.exitCode}); see ${logFile}`);
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

/**
 * startStack builds (unless PI_FORGE_BIN / FAKELLM_BIN name binaries) and
 * starts the fake LLM and pi-forge. password turns sign-in on.
 */
export async function startStack({ password, log = console.log } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), "pi-forge-e2e-"));
  const started = [];
  const contexts = [];
  let stopping = false;

  function start(name, cmd, argv, env) {
    const out = createWriteStream(join(tmp, `${name}.log`));
    const child = spawn(cmd, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr.pipe(out);
    started.push(child);
    child.once("exit", (code, sig) => {
      if (!stopping) log(`${name} exited (${code ?? sig})`);
    });
    return child;
  }

  async function stop({ keep = false } = {}) {
    stopping = true;
    for (const c of contexts) await c.close().catch(() => undefined);
    await Promise.all(started.map(stopChild));
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  }

  try {
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
    // A small kept window, so a manual compaction has something to fold even in a short session.
    writeFileSync(
      join(dirs.pi, "settings.json"),
      JSON.stringify({ defaultProvider: "fake", defaultModel: "fake-model", defaultThinkingLevel: "medium", compaction: { keepRecentTokens: 100 } }),
    );

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ...baseEnv, HOST: "127.0.0.1", PORT: String(port), WORKSPACE_PATH: dirs.workspace, FORGE_DATA_DIR: dirs.data, PI_CONFIG_DIR: dirs.pi, LOG_LEVEL: "warn" };
    if (password) env.UI_PASSWORD = password;
    const server = start("pi-forge", piForge, [], env);
    await waitHealthy(base, server, join(tmp, "pi-forge.log"));
    log("pi-forge at", base);

    const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
    if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install -y chromium`);
    return {
      tmp,
      base,
      dirs,
      fake: fakeControl(fakeUrl),
      stop,
      /** browser opens a fresh Chromium profile (its own user-data-dir) with these context options. */
      async browser(options = {}) {
        const profile = mkdtempSync(join(tmp, "profile-"));
        const context = await chromium.launchPersistentContext(profile, { executablePath, args: LAUNCH_ARGS, viewport: { width: 1280, height: 800 }, ...options });
        contexts.push(context);
        context.setDefaultTimeout(30_000);
        const page = context.pages()[0] ?? (await context.newPage());
        page.on("pageerror", (e) => log("page error:", e.message));
        return { context, page };
      },
    };
  } catch (e) {
    await stop({ keep: true });
    e.message += ` (logs: ${tmp})`;
    throw e;
  }
}

function stopChild(child) {
  return new Promise((res) => {
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
  });
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

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * openNewSession signs in on a new page, adds dir as project name through the
 * API, selects it and starts a session; it returns the page, composer ready.
 */
export async function openNewSession(ctx, name, dir) {
  const { page } = await ctx.browser();
  await page.goto(ctx.base);
  await page.getByLabel("Password").fill(ctx.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Projects" }).waitFor();
  const created = await page.evaluate(
    async ([name, path]) => {
      const r = await fetch("/api/v1/projects", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${localStorage.getItem("pi-forge/auth-token")}` },
        body: JSON.stringify({ name, path }),
      });
      return r.status;
    },
    [name, dir],
  );
  assert(created === 201, `project created (${created})`);
  await page.reload();
  await page.locator(".project-name .name", { hasText: name }).click();
  await page.getByRole("button", { name: "+ New session" }).first().click();
  await page.locator("#composer-input").waitFor();
  return page;
}
