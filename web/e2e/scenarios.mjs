// The browser scenarios, in order: each builds on the page the ones before
// left (signed in, a project, a session with turns). Every wait is for a
// selector or an event, never a fixed sleep. ctx comes from run.mjs.
import { join } from "node:path";
import { assert } from "./harness.mjs";

const LONG = Array.from({ length: 160 }, (_, i) => `word${i}`).join(" ") + " THE-END.";

async function shot(ctx, page, name) {
  if (ctx.shots) await page.screenshot({ path: join(ctx.shots, `${name}.png`) });
}

async function signIn(ctx, page) {
  await page.goto(ctx.base);
  const password = page.getByLabel("Password");
  await password.fill(ctx.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function send(page, text) {
  const box = page.locator("#composer-input");
  await box.fill(text);
  await page.getByRole("button", { name: /^(Send|Steer|Queue)$/ }).click();
}

/** lastAssistantText is the text of the last committed assistant message. */
function lastAssistantText(page) {
  return page.locator("article.msg-assistant:not(.streaming)").last().innerText();
}

export const scenarios = [
  {
    name: "login",
    required: true,
    async run(ctx) {
      const { page } = await ctx.browser();
      ctx.state.page = ctx.state.desktop = page;
      await page.goto(ctx.base);
      const password = page.getByLabel("Password");
      await password.waitFor();
      await shot(ctx, page, "login");
      await password.fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: /wrong password/i }).waitFor();
      await password.fill(ctx.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("navigation", { name: "Projects" }).waitFor();
      assert(await page.evaluate(() => !!localStorage.getItem("pi-forge/auth-token")), "the token is kept for the next visit");
    },
  },
  {
    name: "project",
    required: true,
    async run(ctx) {
      const page = ctx.state.page;
      await page.getByRole("button", { name: "+ New", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "New project" });
      await dialog.getByLabel("Name").fill("demo");
      await dialog.getByRole("button", { name: /demo/ }).click();
      await dialog.locator(".browser-path", { hasText: "/demo" }).waitFor();
      await dialog.getByRole("button", { name: "Use this folder" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.locator(".project-name .name", { hasText: "demo" }).waitFor();
      await page.getByRole("button", { name: "+ New session" }).waitFor();
    },
  },
  {
    name: "session",
    required: true,
    async run(ctx) {
      const page = ctx.state.page;
      await page.getByRole("button", { name: "+ New session" }).click();
      await page.locator("#composer-input").waitFor();
      await page.getByText("No messages yet").waitFor();
      await page.locator(".conn-live").waitFor();
    },
  },
  {
    name: "stream",
    required: true,
    async run(ctx) {
      const page = ctx.state.page;
      await ctx.fake.script([
        {
          blocks: [
            { type: "thinking", text: "The user wants me to run something. A short shell command will do." },
            { type: "text", text: "Let me run a command in the project first." },
            { type: "toolCall", id: "call_e2e_bash", name: "bash", arguments: { command: "echo e2e-tool-start; sleep 1; echo e2e-tool-end" } },
          ],
          delayMs: 40,
          chunkSize: 4,
        },
        { blocks: [{ type: "text", text: "The command printed **e2e-tool-end**. All done." }], delayMs: 15 },
      ]);
      await send(page, "Run a command please");
      // The reply streams: a partial text, then the tool call's arguments, then the live run.
      await page.locator("article.streaming .bubble", { hasText: "Let me" }).waitFor();
      await page.locator(".tool-card.tool-bash.status-generating, .tool-card.tool-bash.status-running").first().waitFor();
      await page.locator(".tool-card.tool-bash.status-running pre[aria-label=Output]", { hasText: "e2e-tool-start" }).waitFor();
      await page.locator(".tool-card.tool-bash.status-done pre[aria-label=Output]", { hasText: "e2e-tool-end" }).waitFor();
      await page.getByRole("log", { name: "Conversation" }).getByText("All done.").waitFor();
      await page.locator("article.streaming").waitFor({ state: "detached" });
      await page.locator(".thinking").first().waitFor();
      await shot(ctx, page, "chat-tool-call");
    },
  },
  {
    name: "abort",
    async run(ctx) {
      const page = ctx.state.page;
      await ctx.fake.script([{ blocks: [{ type: "text", text: LONG }], delayMs: 40 }]);
      await send(page, "Write something long");
      await page.locator("article.streaming .bubble", { hasText: "word3" }).waitFor();
      await page.getByRole("button", { name: "Stop" }).click();
      await page.locator("article.streaming").waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Stop" }).waitFor({ state: "detached" });
      const text = await lastAssistantText(page);
      assert(!text.includes("THE-END"), "the reply stopped before its end");
    },
  },
  {
    name: "reload",
    async run(ctx) {
      const page = ctx.state.page;
      await ctx.fake.script([{ blocks: [{ type: "text", text: LONG }], delayMs: 25 }]);
      await send(page, "Write something long again");
      await page.locator("article.streaming .bubble", { hasText: "word10" }).waitFor();
      await page.reload();
      // The session reopens mid-reply and keeps streaming into the same message.
      await page.locator("article.streaming").waitFor();
      const at = (await page.locator("article.streaming").innerText()).length;
      await page.waitForFunction((n) => (document.querySelector("article.streaming")?.textContent?.length ?? 0) > n + 30, at);
      await page.locator("article.streaming").waitFor({ state: "detached", timeout: 20_000 });
      const text = await lastAssistantText(page);
      assert(text.includes("word0") && text.includes("THE-END"), "the whole reply arrived once");
      assert(text.split("word100 ").length === 2, "no part of the reply is duplicated");
    },
  },
  {
    name: "compact",
    async run(ctx) {
      const page = ctx.state.page;
      await ctx.fake.script([{ blocks: [{ type: "text", text: "## Goal\nRun commands and write long answers.\n\n## Progress\nDone." }], delayMs: 5 }]);
      await send(page, "/compact");
      const head = page.locator(".compaction-head", { hasText: /Compacted \d+ messages?/ });
      await head.waitFor();
      await head.click();
      const archive = page.locator(".compaction-archive");
      await archive.getByText("Run a command please").waitFor();
      await page.locator(".compaction-summary", { hasText: "Run commands and write long answers." }).waitFor();
      await page.getByRole("button", { name: "▴ Close the archive" }).click();
      await archive.waitFor({ state: "detached" });
    },
  },
  {
    name: "tree",
    async run(ctx) {
      const page = ctx.state.page;
      await page.getByRole("button", { name: "Tree" }).click();
      const tree = page.getByRole("dialog", { name: "Session tree" });
      await tree.locator(".tree-row").first().waitFor();
      await tree.locator(".tree-row", { has: page.locator(".who-user"), hasText: "Run a command please" }).click();
      await tree.getByRole("button", { name: "Go here" }).click();
      const confirm = page.getByRole("dialog", { name: "Move to this point?" });
      await confirm.getByLabel("Label (shown as ★ in the tree)").fill("first-try");
      await confirm.getByRole("button", { name: "Move here" }).click();
      await tree.waitFor({ state: "detached" });
      // The prompt comes back to the composer, to edit and send on a new branch.
      await page.waitForFunction(() => (document.querySelector("#composer-input")?.value ?? "") === "Run a command please");
      await ctx.fake.script([{ blocks: [{ type: "text", text: "Second branch reply." }], delayMs: 10 }]);
      await send(page, "Run a different command");
      await page.getByRole("log", { name: "Conversation" }).getByText("Second branch reply.").waitFor();
      await page.locator("article.streaming").waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Tree" }).click();
      await tree.locator(".tree-label", { hasText: "first-try" }).waitFor();
      await tree.locator(".pill", { hasText: "2 branches" }).waitFor();
      await tree.locator(".tree-row.off-path").first().waitFor();
      await shot(ctx, page, "session-tree");
      await page.keyboard.press("Escape");
      await tree.waitFor({ state: "detached" });
    },
  },
  {
    name: "fork",
    async run(ctx) {
      const page = ctx.state.page;
      const rows = page.locator(".session-list .session");
      const before = await rows.count();
      const title = await page.locator(".chat-title").innerText();
      const reply = page.locator("article.msg-assistant", { hasText: "Second branch reply." });
      await reply.hover();
      await reply.getByRole("button", { name: "Branch from here into a new session" }).click();
      await page.waitForFunction((n) => document.querySelectorAll(".session-list .session").length === n + 1, before);
      await page.locator(".chat-title").filter({ hasNotText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }).waitFor();
      await page.getByRole("log", { name: "Conversation" }).getByText("Second branch reply.").waitFor();
      await page.getByRole("log", { name: "Conversation" }).getByText("Run a different command").waitFor();
      // Edit and resend: forks before the prompt and drafts it in the new session.
      const prompt = page.locator("article.msg-user", { hasText: "Run a different command" });
      await prompt.hover();
      await prompt.getByRole("button", { name: "Edit and resend in a new branch" }).click();
      await page.waitForFunction((n) => document.querySelectorAll(".session-list .session").length === n + 2, before);
      await page.waitForFunction(() => (document.querySelector("#composer-input")?.value ?? "") === "Run a different command");
    },
  },
  {
    name: "composer",
    async run(ctx) {
      const page = ctx.state.page;
      const box = page.locator("#composer-input");
      await box.fill("");
      await box.pressSequentially("Summarise @READ");
      await page.locator("#mention-list li", { hasText: "README.md" }).waitFor();
      await box.press("Enter");
      await page.waitForFunction(() => document.querySelector("#composer-input")?.value === "Summarise @README.md ");
      await page.locator(".ref-chip", { hasText: "@README.md" }).waitFor();
      await page.locator(".attach-btn input[type=file]").setInputFiles({ name: "data.csv", mimeType: "text/csv", buffer: Buffer.from("col_a,col_b\n1,e2e-attached\n") });
      await page.locator(".attachment", { hasText: "data.csv" }).waitFor();
      await ctx.fake.script([], { mode: "echo", delayMs: 5 });
      await page.getByRole("button", { name: "Send", exact: true }).click();
      // The server inlined the attachment and the referenced file into the prompt.
      await page.locator("article.msg-user", { hasText: "e2e-attached" }).waitFor();
      await page.locator("article.msg-user", { hasText: "A project for the browser tests." }).waitFor();
      await page.locator("article.streaming").waitFor({ state: "detached" });
      // !cmd goes into the context, !!cmd stays out of it.
      await box.fill("!echo e2e-bang");
      await page.locator(".bang-tag", { hasText: "into context" }).waitFor();
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await page.locator("article.msg-bash", { hasText: "e2e-bang" }).locator(".pill", { hasText: "in context" }).waitFor();
      await box.fill("!!echo e2e-local");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await page.locator("article.msg-bash.local-only", { hasText: "e2e-local" }).waitFor();
      await box.fill("/tr");
      await page.locator("#slash-list li", { hasText: "/tree" }).waitFor();
      await box.press("Escape");
      await page.locator("#slash-list").waitFor({ state: "detached" });
    },
  },
  {
    name: "settings",
    async run(ctx) {
      const page = ctx.state.page;
      await page.getByRole("button", { name: "Settings" }).click();
      const settings = page.getByRole("dialog", { name: "Settings" });
      // A key goes in and never comes back out.
      await settings.getByLabel("Filter providers").fill("anthropic");
      const card = settings.locator(".provider-card", { has: page.getByText("anthropic", { exact: true }) });
      await card.getByRole("button", { name: "Add key" }).click();
      await card.getByLabel("API key for anthropic").fill("sk-e2e-secret-value");
      await card.getByRole("button", { name: "Save" }).click();
      await card.getByRole("button", { name: "Replace key" }).waitFor();
      await card.locator(".pill-ok").waitFor();
      assert(!(await page.content()).includes("sk-e2e-secret-value"), "the key is not in the page");
      // models.json: broken JSON is caught before it is sent.
      await settings.getByRole("tab", { name: "Models" }).click();
      const editor = settings.getByLabel("models.json");
      await page.waitForFunction(() => (document.querySelector("#models-json")?.value ?? "").includes('"fake"'));
      await editor.fill('{ "providers": { "x": ');
      await settings.getByText("Not valid JSON").waitFor();
      assert(await settings.getByRole("button", { name: "Save", exact: true }).isDisabled(), "invalid JSON cannot be saved");
      await settings.getByRole("button", { name: "Revert" }).click();
      // A tool switched off globally stays off.
      await settings.getByRole("tab", { name: "Tools" }).click();
      const grep = settings.locator(".toggle-card", { has: page.locator("strong", { hasText: /^grep$/ }) });
      await grep.getByRole("switch").uncheck();
      await grep.locator(".state-dot.off").waitFor();
      await grep.getByRole("switch").check();
      await grep.locator(".state-dot.on").waitFor();
      await page.keyboard.press("Escape");
      await settings.waitFor({ state: "detached" });
    },
  },
  {
    name: "theme",
    async run(ctx) {
      const page = ctx.state.page;
      await page.getByRole("button", { name: "Settings" }).click();
      const settings = page.getByRole("dialog", { name: "Settings" });
      await settings.locator(".provider-card", { hasText: "fake" }).waitFor();
      await shot(ctx, page, "settings");
      await settings.getByRole("tab", { name: "Appearance" }).click();
      await settings.locator(".swatch", { hasText: "Light" }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
      await page.keyboard.press("Escape");
      // Applied before first paint on the next load.
      await page.reload({ waitUntil: "domcontentloaded" });
      assert((await page.evaluate(() => document.documentElement.dataset.theme)) === "light", "the theme survives a reload");
      await page.locator(".theme-picker select").selectOption("dark");
      await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    },
  },
  {
    name: "mobile",
    async run(ctx) {
      const { page } = await ctx.browser({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
      ctx.state.page = page;
      await signIn(ctx, page);
      const burger = page.getByRole("button", { name: "Projects and sessions" });
      await burger.waitFor();
      assert(!(await page.locator("aside.sidebar").isVisible()), "no side bar on a phone");
      await burger.click();
      const drawer = page.getByRole("dialog", { name: "Projects and sessions" });
      // The first session (auto-titled from its first prompt), not one of its forks.
      await drawer.locator(".session-name .name").filter({ hasText: /^Run Command$/ }).click();
      await drawer.waitFor({ state: "detached" });
      const box = page.locator("#composer-input");
      await box.waitFor();
      const rect = await box.boundingBox();
      assert(rect && rect.y + rect.height <= 844, "the composer is on screen");
      assert((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "nothing scrolls sideways");
      const send = page.getByRole("button", { name: "Send", exact: true });
      const sendBox = await send.boundingBox();
      assert(sendBox && sendBox.height >= 44, "the Send button is a 44 px target");
      await page.locator("article.msg").first().waitFor();
      await shot(ctx, page, "mobile");
      await ctx.fake.script([{ blocks: [{ type: "text", text: "Hello from a phone." }], delayMs: 10 }]);
      await box.fill("Hi from the phone");
      await send.click();
      await page.getByRole("log", { name: "Conversation" }).getByText("Hello from a phone.").waitFor();
      // The on-screen keyboard takes the lower half (Android resizes the page for it): the composer moves up.
      await box.focus();
      await page.setViewportSize({ width: 390, height: 460 });
      await page.waitForFunction(() => {
        const r = document.querySelector("#composer-input")?.getBoundingClientRect();
        return !!r && r.bottom <= 460 && r.top >= 0;
      });
    },
  },
  {
    name: "pwa",
    async run(ctx) {
      const page = (ctx.state.page = ctx.state.desktop);
      await page.goto(ctx.base);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await page.reload();
      await page.waitForFunction(() => !!navigator.serviceWorker.controller);
      await page.locator("#composer-input").waitFor();
      const cached = await page.evaluate(async () => {
        const out = [];
        for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) out.push(new URL(r.url).pathname);
        return out;
      });
      assert(cached.includes("/offline.html"), "the offline page is cached");
      assert(!cached.some((p) => p.startsWith("/api/")), `nothing of the API is cached (${cached.filter((p) => p.startsWith("/api/"))})`);
      await page.context().setOffline(true);
      await page.goto(`${ctx.base}/some/deep/link`);
      await page.getByRole("heading", { name: /out of reach/ }).waitFor();
      await page.context().setOffline(false);
      await page.goto(ctx.base);
      await page.locator("#composer-input").waitFor();
    },
  },
];
