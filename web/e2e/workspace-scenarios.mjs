// Browser scenarios of the workspace panes and the terminal, run after the
// chat scenarios (run.mjs): a project that is a git repository, a file opened,
// edited and saved in the editor, a hunk staged and committed in the git
// panel, an agent edit seen in the last-turn panel, and a command typed in the
// terminal (then replayed after a reload). Each wait is for a selector or an
// event, never a fixed sleep.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assert, openNewSession } from "./harness.mjs";

function git(dir, ...args) {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: dir } });
}

const lines = (n, word) => Array.from({ length: n }, (_, i) => `${word} ${i + 1}`).join("\n") + "\n";

export const workspaceScenarios = [
  {
    name: "workspace",
    required: true,
    async run(ctx) {
      // A repository with two files; the server's git commits need an identity.
      const dir = join(ctx.dirs.workspace, "ws-demo");
      mkdirSync(join(dir, "src"), { recursive: true });
      writeFileSync(join(dir, "README.md"), "# ws-demo\n\nFirst line.\n");
      writeFileSync(join(dir, "src", "story.txt"), lines(40, "line"));
      writeFileSync(join(ctx.dirs.home, ".gitconfig"), "[user]\n\tname = E2E\n\temail = e2e@example.com\n");
      git(dir, "init", "-q", "--initial-branch=main");
      git(dir, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", "add", "-A");
      git(dir, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", "commit", "-q", "-m", "initial");

      const page = await openNewSession(ctx, "ws-demo", dir);
      ctx.state.page = ctx.state.ws = page;
      ctx.state.wsDir = dir;
      // The side panel, on the Files tab.
      const toggle = page.getByRole("button", { name: "Panel" });
      if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();
      await page.getByRole("tab", { name: "Files" }).click();
      await page.getByRole("tree", { name: "Project files" }).getByRole("treeitem", { name: /README\.md/ }).waitFor();
    },
  },
  {
    name: "editor",
    async run(ctx) {
      const page = ctx.state.ws;
      const tree = page.getByRole("tree", { name: "Project files" });
      await tree.getByRole("treeitem", { name: /README\.md/ }).click();
      const editor = page.locator(".editor-col .cm-content");
      await editor.getByText("First line.").waitFor();
      await editor.getByText("First line.").click();
      await page.keyboard.press("End");
      await page.keyboard.type(" Edited in the browser.");
      await page.locator(".editor-tab .tab-dirty").waitFor();
      await page.keyboard.press("Control+s");
      await page.locator(".editor-status", { hasText: /Saved/ }).waitFor();
      await page.locator(".editor-tab .tab-dirty").waitFor({ state: "detached" });
      const disk = readFileSync(join(ctx.state.wsDir, "README.md"), "utf8");
      assert(disk.includes("First line. Edited in the browser."), `saved to disk: ${JSON.stringify(disk)}`);
      // The git gutter marks the changed line.
      await page.locator(".editor-col .cm-git-modified, .editor-col .cm-git-added").first().waitFor();
    },
  },
  {
    name: "files",
    async run(ctx) {
      const page = ctx.state.ws;
      const dir = ctx.state.wsDir;
      const tree = page.getByRole("tree", { name: "Project files" });
      // New file from the toolbar: named inline, created on disk, opened.
      await page.getByRole("button", { name: "New file" }).click();
      await page.getByRole("textbox", { name: "New file name" }).fill("made-in-browser.txt");
      await page.keyboard.press("Enter");
      await tree.getByRole("treeitem", { name: /made-in-browser\.txt/ }).waitFor();
      await page.locator(".editor-tab", { hasText: "made-in-browser.txt" }).waitFor();
      assert(readFileSync(join(dir, "made-in-browser.txt"), "utf8") === "", "the new file is on disk");
      // Rename with F2.
      await tree.getByRole("treeitem", { name: /made-in-browser\.txt/ }).focus();
      await page.keyboard.press("F2");
      await page.getByRole("textbox", { name: "New name for made-in-browser.txt" }).fill("renamed.txt");
      await page.keyboard.press("Enter");
      await tree.getByRole("treeitem", { name: /renamed\.txt/ }).waitFor();
      await page.locator(".editor-tab", { hasText: "renamed.txt" }).waitFor();
      // Pick two entries with Ctrl+click and delete them together.
      writeFileSync(join(dir, "scratch.log"), "x\n");
      await page.getByRole("button", { name: "Refresh" }).first().click();
      await tree.getByRole("treeitem", { name: /scratch\.log/ }).click({ modifiers: ["Control"] });
      await tree.getByRole("treeitem", { name: /renamed\.txt/ }).click({ modifiers: ["Control"] });
      await page.getByRole("toolbar", { name: "Selected files" }).getByText("2 selected").waitFor();
      await page.getByRole("toolbar", { name: "Selected files" }).getByRole("button", { name: "Delete" }).click();
      await page.getByRole("dialog", { name: "Delete 2 items?" }).getByRole("button", { name: "Delete all" }).click();
      await tree.getByRole("treeitem", { name: /scratch\.log/ }).waitFor({ state: "detached" });
      assert(!existsSync(join(dir, "scratch.log")) && !existsSync(join(dir, "renamed.txt")), "both files are gone from disk");
      await page.locator(".editor-tab", { hasText: "renamed.txt" }).waitFor({ state: "detached" });
      // Upload through the picker: hashed in the page, checked by the server.
      await page.locator(".files-panel input[type=file]:not([webkitdirectory])").setInputFiles({ name: "uploaded.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0, 1, 2, 3, 250]) });
      await tree.getByRole("treeitem", { name: /uploaded\.bin/ }).waitFor();
      assert(readFileSync(join(dir, "uploaded.bin")).equals(Buffer.from([0, 1, 2, 3, 250])), "the upload landed byte for byte");
    },
  },
  {
    name: "git-hunk",
    async run(ctx) {
      const page = ctx.state.ws;
      const dir = ctx.state.wsDir;
      // Two separate changes in one file make two hunks.
      const story = lines(40, "line").split("\n");
      story[1] = "line 2 CHANGED-TOP";
      story[35] = "line 36 CHANGED-BOTTOM";
      writeFileSync(join(dir, "src", "story.txt"), story.join("\n"));
      await page.getByRole("tab", { name: "Git" }).click();
      const panel = page.locator(".git-panel");
      await panel.getByRole("button", { name: "Refresh" }).click();
      const changes = panel.getByRole("region", { name: "Changes" });
      await changes.locator(".git-file-name", { hasText: "story.txt" }).click();
      const stageHunk = changes.getByRole("button", { name: "Stage hunk" });
      await stageHunk.nth(1).waitFor();
      assert((await stageHunk.count()) === 2, "two hunks");
      await stageHunk.first().click();
      const staged = panel.getByRole("region", { name: "Staged" });
      await staged.locator(".git-file-name", { hasText: "story.txt" }).waitFor();
      await panel.getByRole("textbox", { name: "Commit message" }).fill("Stage one hunk from the browser");
      await panel.getByRole("button", { name: "Commit", exact: true }).click();
      await staged.waitFor({ state: "detached" });
      const head = git(dir, "show", "--format=%s", "HEAD");
      assert(head.startsWith("Stage one hunk from the browser"), `commit message: ${head.split("\n")[0]}`);
      assert(head.includes("CHANGED-TOP") && !head.includes("CHANGED-BOTTOM"), "only the first hunk was committed");
      assert(git(dir, "diff").includes("CHANGED-BOTTOM"), "the second hunk is still a change in the work tree");
      // The log shows the new commit with the lane graph.
      await panel.getByRole("button", { name: "History" }).click();
      await panel.locator(".git-commit", { hasText: "Stage one hunk from the browser" }).locator("svg.git-lanes").waitFor();
    },
  },
  {
    name: "last-turn",
    async run(ctx) {
      const page = ctx.state.ws;
      // The agent edits README.md, which is open in the editor.
      await ctx.fake.script([
        {
          blocks: [
            { type: "text", text: "Editing the readme." },
            {
              type: "toolCall",
              id: "call_e2e_edit",
              name: "edit",
              arguments: { path: "README.md", edits: [{ oldText: "# ws-demo", newText: "# ws-demo\n\nAdded by the agent." }] },
            },
          ],
          delayMs: 10,
        },
        { blocks: [{ type: "text", text: "The readme is edited." }], delayMs: 10 },
      ]);
      await page.locator("#composer-input").fill("Edit the readme please");
      await page.getByRole("button", { name: "Send", exact: true }).click();
      await page.getByRole("log", { name: "Conversation" }).getByText("The readme is edited.").waitFor();
      // The open editor reloads the file (it had no unsaved changes).
      await page.locator(".editor-col .cm-content").getByText("Added by the agent.").waitFor();
      await page.getByRole("tab", { name: "Last turn" }).click();
      const entry = page.locator(".turn-file", { hasText: "README.md" });
      await entry.waitFor();
      await entry.locator(".ws-diff .d-add", { hasText: "Added by the agent." }).waitFor();
      await page.getByRole("button", { name: "Split" }).first().click();
      await entry.locator(".ws-diff-split td.d-add", { hasText: "Added by the agent." }).waitFor();
      // The context panel lists the run's messages, the edit among them.
      await page.getByRole("tab", { name: "Context" }).click();
      await page.locator(".context-panel .ctx-message", { hasText: "edit" }).first().waitFor();
    },
  },
  {
    name: "dirty-reload",
    async run(ctx) {
      const page = ctx.state.ws;
      // Unsaved edits in the editor, then the agent edits the same file: the tab asks.
      await page.locator(".editor-tab", { hasText: "README.md" }).getByRole("tab").click();
      const editor = page.locator(".editor-col .cm-content");
      await editor.getByText("Added by the agent.").click();
      await page.keyboard.press("End");
      await page.keyboard.type(" My unsaved words.");
      await page.locator(".editor-tab .tab-dirty").waitFor();
      await ctx.fake.script([
        {
          blocks: [{ type: "toolCall", id: "call_e2e_edit2", name: "edit", arguments: { path: "README.md", edits: [{ oldText: "First line.", newText: "First line (agent, again)." }] } }],
          delayMs: 10,
        },
        { blocks: [{ type: "text", text: "Edited once more." }], delayMs: 10 },
      ]);
      await page.locator("#composer-input").fill("Edit the readme again");
      await page.getByRole("button", { name: "Send", exact: true }).click();
      await page.getByRole("log", { name: "Conversation" }).getByText("Edited once more.").waitFor();
      const banner = page.getByRole("alert").filter({ hasText: "changed on disk" });
      await banner.waitFor();
      assert(await editor.getByText("My unsaved words.").isVisible(), "unsaved words are kept until the user chooses");
      await banner.getByRole("button", { name: "Reload" }).click();
      await editor.getByText("First line (agent, again).").waitFor();
      await banner.waitFor({ state: "detached" });
      await page.locator(".editor-tab .tab-dirty").waitFor({ state: "detached" });
    },
  },
  {
    name: "terminal",
    async run(ctx) {
      const page = ctx.state.ws;
      const toggle = page.getByRole("button", { name: "Terminal" });
      if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();
      const rows = page.locator(".term-view:not([hidden]) .xterm-rows");
      await rows.waitFor();
      await page.locator(".term-view:not([hidden]) .xterm").click();
      await page.keyboard.type("echo e2e-$((6*7))-done\n");
      await rows.getByText("e2e-42-done").first().waitFor();
      // After a reload the same tab reattaches and the server replays its output.
      await page.reload();
      await page.locator(".term-view:not([hidden]) .xterm-rows").getByText("e2e-42-done").first().waitFor();
      const tabs = await page.getByRole("tablist", { name: "Terminals" }).getByRole("tab").count();
      assert(tabs === 1, `one terminal tab after the reload (${tabs})`);
    },
  },
];
