import { useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import type { SessionContext, SessionSummary, ThinkingLevel, UserMessage } from "../../api/types";
import { isTouch } from "../layout/media";
import { AttachButton, AttachmentStrip, useAttachments } from "./AttachmentStrip";
import { parseBang, pastedName } from "./attachments";
import { ContextMeter } from "./ContextMeter";
import { FileCompletion, useFileCompletion } from "./FileCompletion";
import { HistoryCursor, loadHistory, pushHistory } from "./history";
import { insertMention, mentionAt, referencedPaths, removeReference } from "./mentions";
import { ModelPicker } from "./ModelPicker";
import { matchCommands, parseBuiltin, slashQuery, SlashPalette, unknownCommand, type SlashCommand } from "./SlashPalette";
import { ThinkingPicker } from "./ThinkingPicker";
import { useCommands } from "./useCommands";

const DOUBLE_ESC_MS = 600;

/**
 * Composer writes prompts. Enter sends (Shift+Enter is a newline; on touch
 * screens Enter is a newline and the button sends). While the agent works a
 * prompt steers it or waits as a follow-up; Esc twice stops the agent; ↑/↓
 * walk the history. `/` opens the command palette, `@` completes file paths,
 * `!cmd` and `!!cmd` run a shell command, and files can be attached by the
 * paperclip, by pasting or by dropping them on the composer.
 */
export function Composer({ sessionId }: { sessionId: string }) {
  const { api, auth, chat, sessions, ui, loadProviders } = useApp();
  const text = useSignal("");
  const mode = useSignal<"steer" | "followUp">("steer");
  const info = useSignal<SessionSummary | null>(null);
  const context = useSignal<SessionContext | null>(null);
  const escArmed = useSignal(false);
  const dragging = useSignal(false);
  const showHelp = useSignal(false);
  const lastEsc = useRef(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const cursor = useRef<HistoryCursor | null>(null);
  const pastes = useRef(0);
  const slashActive = useSignal(0);
  const slashClosed = useSignal(false);
  const projectId = ui.projectId.value;
  const commandsAll = useCommands(projectId);
  const files = useFileCompletion(projectId);
  const attachments = useAttachments((msg) => ui.toast(msg));
  const streaming = chat.isStreaming.value;
  const readOnly = chat.readOnly.value;
  const minimal = !!auth.uiConfig.value?.minimal;

  // Session facts for the pickers and the meter; the meter refreshes after every turn.
  useEffect(() => {
    info.value = null;
    context.value = null;
    text.value = "";
    cursor.current = null;
    files.close();
    api.getSession(sessionId).then((s) => (info.value = s), () => undefined);
    void loadProviders();
  }, [sessionId]);

  // A draft handed over by a fork or a move in the tree.
  const handoff = ui.draft.value;
  useEffect(() => {
    if (!handoff || handoff.sessionId !== sessionId) return;
    ui.draft.value = null;
    text.value = handoff.text;
    requestAnimationFrame(() => {
      const el = area.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  }, [sessionId, handoff]);

  // "Add as @ context" in the file tree (the pi-forge:insert-mention event).
  useEffect(() => {
    function onMention(e: Event) {
      const path = (e as CustomEvent<{ path?: string }>).detail?.path;
      if (!path) return;
      const ref = /[\s"]/.test(path) ? `@"${path.replace(/"/g, "")}"` : `@${path}`;
      const cur = text.value;
      text.value = `${cur}${cur && !/\s$/.test(cur) ? " " : ""}${ref} `;
      requestAnimationFrame(() => {
        const el = area.current;
        if (!el) return;
        el.focus();
        el.setSelectionRange(el.value.length, el.value.length);
      });
    }
    window.addEventListener("pi-forge:insert-mention", onMention);
    return () => window.removeEventListener("pi-forge:insert-mention", onMention);
  }, []);

  useEffect(() => {
    if (!streaming) api.context(sessionId).then((c) => (context.value = c), () => undefined);
  }, [sessionId, streaming]);

  const query = slashClosed.value ? null : slashQuery(text.value);
  const commands = query === null ? [] : matchCommands(commandsAll.value, query);
  const completion = commands.length === 0 ? files.state.value : null;
  const bang = parseBang(text.value) ?? (/^!!?$/.test(text.value.trim()) ? { command: "", excludeFromContext: text.value.trim() === "!!" } : null);
  // The reference being completed is not a chip yet.
  const typing = completion ? mentionAt(text.value, area.current?.selectionStart ?? text.value.length)?.query : undefined;
  const refs = referencedPaths(text.value).filter((p) => p !== typing);

  useLayoutEffect(() => {
    // Grow with the text up to a limit, then scroll.
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    const max = Math.round(window.innerHeight * (isTouch.value ? 0.3 : 0.4));
    el.style.height = `${Math.min(el.scrollHeight, max)}px`;
  }, [text.value]);

  function setText(value: string, caret?: number): void {
    text.value = value;
    if (caret === undefined) return;
    requestAnimationFrame(() => {
      area.current?.setSelectionRange(caret, caret);
      files.update(value, caret);
    });
  }

  function pickCommand(c: SlashCommand) {
    text.value = `/${c.name} `;
    slashActive.value = 0;
    area.current?.focus();
  }

  function pickFile(path: string) {
    const el = area.current;
    const caret = el?.selectionStart ?? text.value.length;
    const m = mentionAt(text.value, caret);
    if (!m) return files.close();
    const next = insertMention(text.value, caret, m, path);
    files.close();
    setText(next.text, next.caret);
    el?.focus();
  }

  async function runBuiltin(name: string, args: string): Promise<void> {
    switch (name) {
      case "abort":
        return abort();
      case "compact":
      case "clear":
        try {
          await api.compact(sessionId, args || undefined);
        } catch (e) {
          ui.toast((e as Error).message);
        }
        return;
      case "tree":
        ui.overlay.value = { kind: "tree" };
        return;
      case "settings":
      case "providers":
      case "skills":
        ui.overlay.value = { kind: "settings", tab: name === "settings" ? undefined : name };
        return;
      case "help":
        showHelp.value = true;
        return;
    }
  }

  function history(): HistoryCursor {
    if (!cursor.current) {
      const fromTranscript = chat.messages.value
        .filter((m) => m.role === "user")
        .map((m) => {
          const c = (m as UserMessage).content;
          return typeof c === "string" ? c : c.map((b) => (b.type === "text" ? (b as { text: string }).text : "")).join("");
        });
      cursor.current = new HistoryCursor(loadHistory(sessionId, fromTranscript));
    }
    return cursor.current;
  }

  async function runBang(command: string, excludeFromContext: boolean): Promise<void> {
    if (minimal) return ui.toast("Shell commands are turned off on this server.");
    if (chat.isStreaming.value) return ui.toast("Shell commands run when the agent is idle; wait, or stop it first.");
    pushHistory(sessionId, text.value.trim());
    cursor.current = null;
    text.value = "";
    const id = chat.startBash(command, excludeFromContext);
    try {
      const r = await api.exec(sessionId, command, excludeFromContext);
      chat.finishBash(id, {
        role: "bashExecution",
        command,
        output: r.output,
        exitCode: r.exitCode,
        cancelled: r.cancelled,
        truncated: r.truncated,
        excludeFromContext,
        timestamp: Date.now(),
      });
    } catch (e) {
      chat.finishBash(id, null);
      ui.toast((e as Error).message);
    }
  }

  async function send() {
    const t = text.value.trim();
    if (!t || readOnly) return;
    files.close();
    const b = parseBang(t);
    if (b && attachments.list.value.length === 0) return runBang(b.command, b.excludeFromContext);
    const builtin = parseBuiltin(t);
    if (builtin) {
      pushHistory(sessionId, t);
      text.value = "";
      cursor.current = null;
      await runBuiltin(builtin.name, builtin.args);
      return;
    }
    const unknown = unknownCommand(t, commandsAll.value);
    if (unknown) {
      ui.toast(`Unknown command /${unknown}. Type / to see the commands, or start with // to send the text as it is.`);
      return;
    }
    const body = t.startsWith("//") ? t.slice(1) : t;
    const behaviour = chat.isStreaming.value ? mode.value : undefined;
    const sent = attachments.take();
    pushHistory(sessionId, t);
    cursor.current = null;
    text.value = "";
    const id = chat.addPending(
      body,
      behaviour,
      sent.map((a) => ({ name: a.file.name, size: a.file.size, kind: a.kind, previewUrl: a.previewUrl })),
    );
    try {
      const res = await api.prompt(
        sessionId,
        body,
        behaviour,
        sent.map((a) => a.file),
      );
      if (res?.sessionName) sessions.patch(sessionId, { name: res.sessionName });
      // A steer or follow-up shows in the queue until it is delivered.
      if (behaviour) chat.dropPending(id);
    } catch (e) {
      chat.failPending(id, (e as Error).message);
      // Give the draft back so it can be fixed and sent again.
      if (!text.value) {
        text.value = t;
        attachments.restore(sent);
      }
    }
    if (isTouch.value) area.current?.blur();
  }

  async function abort() {
    try {
      await api.abort(sessionId);
    } catch (e) {
      ui.toast((e as Error).message);
    }
  }

  /** popupKeys drives whichever list is open (commands or files); true when it took the key. */
  function popupKeys(e: KeyboardEvent): boolean {
    const n = commands.length || completion?.items.length || 0;
    if (n === 0) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const d = e.key === "ArrowDown" ? 1 : -1;
      if (commands.length > 0) slashActive.value = (slashActive.value + d + n) % n;
      else files.move(d);
      return true;
    }
    if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      if (commands.length > 0) pickCommand(commands[Math.min(slashActive.value, n - 1)]);
      else if (completion) pickFile(completion.items[completion.active]);
      return true;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      if (commands.length > 0) slashClosed.value = true;
      else files.close();
      return true;
    }
    return false;
  }

  function onKeyDown(e: KeyboardEvent) {
    const el = e.currentTarget as HTMLTextAreaElement;
    if (e.isComposing) return;
    if (popupKeys(e)) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !isTouch.value) {
      e.preventDefault();
      void send();
      return;
    }
    if (e.key === "Escape") {
      showHelp.value = false;
      if (!chat.isStreaming.value) return;
      const now = Date.now();
      if (now - lastEsc.current < DOUBLE_ESC_MS) {
        lastEsc.current = 0;
        escArmed.value = false;
        void abort();
      } else {
        lastEsc.current = now;
        escArmed.value = true;
        setTimeout(() => (escArmed.value = false), DOUBLE_ESC_MS);
      }
      return;
    }
    const h = history();
    const atStart = el.selectionStart === 0 && el.selectionEnd === 0;
    if (e.key === "ArrowUp" && (text.value === "" || h.browsing || atStart) && !text.value.slice(0, el.selectionStart).includes("\n")) {
      const prev = h.up(text.value);
      if (prev !== null) {
        e.preventDefault();
        text.value = prev;
      }
    } else if (e.key === "ArrowDown" && h.browsing && !text.value.slice(el.selectionEnd).includes("\n")) {
      const next = h.down();
      if (next !== null) {
        e.preventDefault();
        text.value = next;
      }
    }
  }

  function onPaste(e: ClipboardEvent) {
    const list = [...(e.clipboardData?.files ?? [])];
    if (list.length === 0) return;
    // A copied file or screenshot: attach it. Text that came along (a file name) is not pasted.
    e.preventDefault();
    attachments.add(list.map((f) => pastedName(f, ++pastes.current)));
  }

  function onDragOver(e: DragEvent) {
    if (!e.dataTransfer?.types.includes("Files") || readOnly) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    dragging.value = true;
  }
  function onDrop(e: DragEvent) {
    dragging.value = false;
    const list = [...(e.dataTransfer?.files ?? [])];
    if (list.length === 0 || readOnly) return;
    e.preventDefault();
    attachments.add(list);
    area.current?.focus();
  }

  async function setModel(provider: string, modelId: string) {
    const r = await api.setModel(sessionId, provider, modelId);
    info.value = { ...(info.value as SessionSummary), modelProvider: r.provider, modelId: r.modelId };
  }
  async function setThinking(level: ThinkingLevel) {
    const before = info.value?.thinkingLevel;
    info.value = { ...(info.value as SessionSummary), thinkingLevel: level };
    try {
      const r = await api.setThinkingLevel(sessionId, level);
      info.value = { ...(info.value as SessionSummary), thinkingLevel: r.level };
    } catch (e) {
      info.value = { ...(info.value as SessionSummary), thinkingLevel: before };
      ui.toast((e as Error).message);
    }
  }

  const placeholder = readOnly
    ? "Read-only session."
    : streaming
      ? mode.value === "steer"
        ? "Steer the agent (delivered at its next step)…"
        : "Queue a follow-up (sent when the agent is done)…"
      : isTouch.value
        ? "Message the agent…"
        : "Message the agent — Enter sends, Shift+Enter new line, / commands, @ files, ! shell, ↑ history";
  const listId = commands.length > 0 ? "slash" : completion ? "mention" : null;
  const activeIndex = commands.length > 0 ? Math.min(slashActive.value, commands.length - 1) : (completion?.active ?? 0);

  return (
    <form
      class={`composer${dragging.value ? " dragging" : ""}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      onDragOver={onDragOver}
      onDragLeave={(e) => e.currentTarget === e.target && (dragging.value = false)}
      onDrop={onDrop}
    >
      <div class="composer-bar">
        <ModelPicker provider={info.value?.modelProvider} modelId={info.value?.modelId} onPick={setModel} />
        <ThinkingPicker provider={info.value?.modelProvider} modelId={info.value?.modelId} level={info.value?.thinkingLevel} onPick={setThinking} />
        <ContextMeter context={context.value} />
      </div>
      <SlashPalette items={commands} active={activeIndex} onPick={pickCommand} />
      {completion && <FileCompletion state={completion} onPick={pickFile} />}
      {showHelp.value && <ComposerHelp onClose={() => (showHelp.value = false)} />}
      <AttachmentStrip items={attachments.list.value} onRemove={attachments.remove} />
      {refs.length > 0 && (
        <ul class="ref-chips" aria-label="Files referenced">
          {refs.map((p) => (
            <li key={p} class="ref-chip">
              <span>@{p}</span>
              <button type="button" class="icon-btn" aria-label={`Remove the reference to ${p}`} onClick={() => (text.value = removeReference(text.value, p))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class={`composer-row${bang ? (bang.excludeFromContext ? " bang-local" : " bang") : ""}`}>
        {!readOnly && <AttachButton onFiles={attachments.add} disabled={readOnly} />}
        <label class="sr-only" for="composer-input">
          Message
        </label>
        <div class="composer-input">
          {bang && (
            <span class="bang-tag" aria-live="polite">
              {bang.excludeFromContext ? "shell · not in context" : "shell · into context"}
            </span>
          )}
          <textarea
            id="composer-input"
            ref={area}
            rows={isTouch.value ? 2 : 3}
            value={text.value}
            disabled={readOnly}
            placeholder={placeholder}
            aria-keyshortcuts="Enter Shift+Enter Escape ArrowUp ArrowDown"
            aria-controls={listId ? `${listId}-list` : undefined}
            aria-activedescendant={listId ? `${listId}-${activeIndex}` : undefined}
            aria-autocomplete="list"
            onInput={(e) => {
              const el = e.currentTarget;
              text.value = el.value;
              slashClosed.value = false;
              slashActive.value = 0;
              files.update(el.value, el.selectionStart ?? el.value.length);
            }}
            onClick={(e) => files.update(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
            onBlur={() => files.close()}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
          />
        </div>
        <div class="composer-actions">
          {streaming && (
            <div class="mode-switch" role="radiogroup" aria-label="While the agent works">
              {(["steer", "followUp"] as const).map((m) => (
                <label key={m} class={mode.value === m ? "on" : ""}>
                  <input type="radio" name="behaviour" value={m} checked={mode.value === m} onChange={() => (mode.value = m)} />
                  {m === "steer" ? "Steer" : "Follow-up"}
                </label>
              ))}
            </div>
          )}
          {streaming && (
            <button type="button" class="btn btn-danger" onClick={abort} title="Stop the agent (Esc Esc)">
              Stop
            </button>
          )}
          <button type="submit" class="btn btn-primary" disabled={!text.value.trim() || readOnly}>
            {bang && !attachments.list.value.length ? "Run" : streaming ? (mode.value === "steer" ? "Steer" : "Queue") : "Send"}
          </button>
        </div>
      </div>
      {dragging.value && <div class="drop-hint">Drop files to attach them</div>}
      {escArmed.value && (
        <p class="composer-hint" role="status">
          Press Esc again to stop the agent.
        </p>
      )}
    </form>
  );
}

function ComposerHelp({ onClose }: { onClose: () => void }) {
  return (
    <div class="composer-help popover-panel" role="note">
      <button type="button" class="icon-btn" aria-label="Close help" onClick={onClose}>
        ×
      </button>
      <ul>
        <li>
          <kbd>Enter</kbd> sends, <kbd>Shift+Enter</kbd> is a new line, <kbd>Ctrl+Enter</kbd> always sends.
        </li>
        <li>
          <kbd>/</kbd> commands, prompt templates and skills; <kbd>//text</kbd> sends text starting with a slash.
        </li>
        <li>
          <kbd>@path</kbd> attaches a file from the project (<kbd>@"a b.txt"</kbd> for spaces; <kbd>\@</kbd> is a plain @).
        </li>
        <li>
          <kbd>!cmd</kbd> runs a shell command and adds its output to the context; <kbd>!!cmd</kbd> keeps it out.
        </li>
        <li>Paste or drop files to attach them: 4 images and 4 text files at most.</li>
        <li>
          <kbd>↑</kbd>/<kbd>↓</kbd> history; <kbd>Esc</kbd> <kbd>Esc</kbd> stops the agent.
        </li>
      </ul>
    </div>
  );
}
