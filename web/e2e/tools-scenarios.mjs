// Browser scenarios for the agent's own tools: the fake LLM calls
// ask_user_question, todo and process, and the page answers the question,
// shows the todo strip and drives the Processes tab. ctx comes from run.mjs.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openNewSession } from "./harness.mjs";

const QUESTION = {
  questions: [
    {
      question: "Which database should the app use?",
      header: "Database",
      options: [
        { label: "Postgres", description: "A server; best for several users" },
        { label: "SQLite", description: "One file next to the app", preview: "```sh\nsqlite3 app.db\n```" },
      ],
    },
  ],
};

export const toolsScenarios = [
  {
    name: "agent-tools",
    async run(ctx) {
      const dir = join(ctx.dirs.workspace, "tools-demo");
      mkdirSync(dir, { recursive: true });
      const page = await openNewSession(ctx, "tools-demo", dir);
      ctx.state.page = page;
      await page.locator(".conn-live").waitFor();

      await ctx.fake.script([
        { blocks: [{ type: "toolCall", id: "call_ask", name: "ask_user_question", arguments: QUESTION }], delayMs: 5 },
        { blocks: [{ type: "toolCall", id: "call_todo", name: "todo", arguments: { action: "create", subject: "Set up SQLite", activeForm: "Setting up SQLite" } }], delayMs: 5 },
        {
          blocks: [
            {
              type: "toolCall",
              id: "call_proc",
              name: "process",
              arguments: { action: "start", name: "e2e-server", command: "echo server ready; exec sleep 600", alertOnFailure: false },
            },
          ],
          delayMs: 5,
        },
        { blocks: [{ type: "text", text: "Everything is set up." }], delayMs: 5 },
      ]);
      await page.locator("#composer-input").fill("Set the project up");
      await page.getByRole("button", { name: /^(Send|Steer|Queue)$/ }).click();

      // The question appears above the composer; the preview follows the choice.
      const panel = page.getByRole("region", { name: "The agent asks you" });
      await panel.waitFor();
      await panel.getByText("Which database should the app use?").waitFor();
      await panel.getByRole("radio", { name: /SQLite/ }).check();
      await panel.locator(".ask-preview", { hasText: "sqlite3 app.db" }).waitFor();
      await panel.getByRole("button", { name: "Submit" }).click();
      await panel.waitFor({ state: "detached" });
      const askCard = page.locator(".tool-card", { hasText: "ask_user_question" });
      await askCard.locator(".tool-head").click();
      await askCard.locator("dd", { hasText: "SQLite" }).waitFor();

      // The todo badge and strip; the running-process badge.
      await page.getByRole("log", { name: "Conversation" }).getByText("Everything is set up.").waitFor();
      const todoBadge = page.getByRole("button", { name: /0\/1/ });
      await todoBadge.waitFor();
      await todoBadge.click();
      await page.getByRole("region", { name: "Todo list" }).getByText("Set up SQLite").waitFor();
      const running = page.getByRole("button", { name: /background processes running/ });
      await running.waitFor();
      await running.click();

      // The Processes tab: the tail, Kill, then Clear finished.
      await page.getByRole("tab", { name: "Processes (1)" }).waitFor();
      const row = page.locator(".proc-row", { hasText: "e2e-server" });
      await row.locator(".proc-head").click();
      await row.locator(".proc-tail pre", { hasText: "server ready" }).waitFor();
      await row.getByRole("button", { name: "Kill" }).click();
      await page.locator(".proc-row.proc-killed", { hasText: "e2e-server" }).waitFor();
      await page.getByRole("tab", { name: "Processes", exact: true }).waitFor();
      await running.waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Clear finished" }).click();
      await page.getByText("No background processes.").waitFor();
      if (ctx.shots) await page.screenshot({ path: join(ctx.shots, "agent-tools.png") });
    },
  },
];
