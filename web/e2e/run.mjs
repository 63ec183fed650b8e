// Browser tests: the real pi-forge binary and the fake LLM (e2e/harness.mjs),
// driven in headless Chromium (the Debian package, never a downloaded
// browser) through playwright-core, running the scenarios in
// e2e/scenarios.mjs. Everything started is stopped by PID at the end.
//
//   cd web && node e2e/run.mjs                     all scenarios
//   node e2e/run.mjs --only login,theme            some of them
//   E2E_SCREENSHOTS=1 node e2e/run.mjs             also write docs/images/*.png
//   E2E_KEEP=1 node e2e/run.mjs                    keep the temp dir (logs)
//   PI_FORGE_BIN=../bin/pi-forge node e2e/run.mjs  test a binary built already
//
// It needs Go, Node and /usr/bin/chromium (apt-get install chromium); set
// CHROMIUM to use another binary.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { repo, startStack } from "./harness.mjs";
import { scenarios } from "./scenarios.mjs";
import { toolsScenarios } from "./tools-scenarios.mjs";
import { workspaceScenarios } from "./workspace-scenarios.mjs";

const PASSWORD = "e2e-password-1";
const DEADLINE_MS = 170_000;
const args = process.argv.slice(2);
const only = (() => {
  const i = args.indexOf("--only");
  return i >= 0 ? new Set(args[i + 1].split(",")) : null;
})();
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);

let stack = null;

async function main() {
  stack = await startStack({ password: PASSWORD, log });
  const ctx = {
    ...stack,
    password: PASSWORD,
    shots: process.env.E2E_SCREENSHOTS === "1" || args.includes("--screenshots") ? join(repo, "docs", "images") : null,
    log,
    state: {},
  };
  if (ctx.shots) mkdirSync(ctx.shots, { recursive: true });

  const results = [];
  for (const s of [...scenarios, ...workspaceScenarios, ...toolsScenarios]) {
    if (only && !only.has(s.name)) continue;
    const at = Date.now();
    try {
      await s.run(ctx);
      results.push({ name: s.name, ok: true });
      log(`PASS ${s.name} (${Date.now() - at} ms)`);
    } catch (e) {
      results.push({ name: s.name, ok: false, error: e });
      log(`FAIL ${s.name}: ${e.message.split("\n")[0]}`);
      const page = ctx.state.page;
      if (page) await page.screenshot({ path: join(stack.tmp, `fail-${s.name}.png`) }).catch(() => undefined);
      if (s.required) break; // later scenarios build on this one
    }
  }
  const failed = results.filter((r) => !r.ok);
  log(`${results.length - failed.length}/${results.length} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const f of failed) console.error(`\n${f.name}:\n${f.error.stack ?? f.error}`);
  if (failed.length) console.error(`\nlogs and failure screenshots: ${stack.tmp}`);
  return failed.length === 0;
}

const guard = setTimeout(() => {
  console.error(`e2e: over ${DEADLINE_MS / 1000} s, giving up`);
  void (stack?.stop({ keep: true }) ?? Promise.resolve()).then(() => process.exit(1));
}, DEADLINE_MS);
for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => void (stack?.stop() ?? Promise.resolve()).then(() => process.exit(130)));

let ok = false;
try {
  ok = await main();
} catch (e) {
  console.error(e.stack ?? e);
} finally {
  clearTimeout(guard);
  await stack?.stop({ keep: !ok || process.env.E2E_KEEP === "1" });
}
process.exit(ok ? 0 : 1);
