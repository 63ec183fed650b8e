import { useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import type { SessionContext, SessionSummary, ThinkingLevel, UserMessage } from "../../api/types";
import { isTouch } from "../layout/media";
import { ContextMeter } from "./ContextMeter";
import { HistoryCursor, loadHistory, pushHistory } from "./history";
import { ModelPicker } from "./ModelPicker";
import { BUILTINS, matchCommands, parseBuiltin, slashQuery, SlashPalette, type SlashCommand } from "./SlashPalette";
import { ThinkingPicker } from "./ThinkingPicker";

const DOUBLE_ESC_MS = 600;

/**
 * Composer writes prompts. Enter sends (Shift+Enter is a newline; on touch
 * screens Enter is a newline and the button sends). While the agent works a
 * prompt steers it or waits as a follow-up; Esc twice stops the agent; ↑/↓
 * walk the history. The `/` palette, `@` completion and attachments plug in at
 * the marked seams.
 */
export function Composer({ sessionId }: { sessionId: string }) {
  const { api, chat, sessions, ui, loadProviders } = useApp();
  const text = useSignal("");
  const mode = useSignal<"steer" | "followUp">("steer");
  const info = useSignal<SessionSummary | null>(null);
  const context = useSignal<SessionContext | null>(null);
  const escArmed = useSignal(false);
  const lastEsc = useRef(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const cursor = useRef<HistoryCursor | null>(null);
  const templates = useSignal<SlashCommand[]>([]);
  const slashActive = useSignal(0);
  const slashClosed = useSignal(false);
  const streaming = chat.isStreaming.value;
  const readOnly = chat.readOnly.value;

  // Session facts for the pickers and the meter; the meter refreshes after every turn.
  useEffect(() => {
    info.value = null;
    context.value = null;
    text.value = "";
    cursor.current = null;
    api.getSession(sessionId).then((s) => (info.value = s), () => undefined);
    void loadProviders();
    const pid = ui.projectId.value;
    if (pid)
      api.promptTemplates(pid).then(
        (r) => (templates.value = r.prompts.filter((p) => p.effective).map((p) => ({ name: p.name, description: p.description, hint: p.argumentHint, builtin: false }))),
        () => (templates.value = []),
      );
  }, [sessionId]);

  const query = slashClosed.value ? null : slashQuery(text.value);
  const commands = query === null ? [] : matchCommands([...BUILTINS, ...templates.value], query);

  function pickCommand(c: SlashCommand) {
    text.value = `/${c.name} `;
    slashActive.value = 0;
    area.current?.focus();
  }

  async function runBuiltin(name: string, args: string): Promise<void> {
    if (name === "abort") return abort();
    if (name === "compact") {
      try {
        await api.compact(sessionId, args || undefined);
      } catch (e) {
        ui.toast((e as Error).message);
      }
    }
  }
  useEffect(() => {
    if (!streaming) api.context(sessionId).then((c) => (context.value = c), () => undefined);
  }, [sessionId, streaming]);

  useLayoutEffect(() => {
    // Grow with the text up to a limit, then scroll.
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    const max = Math.round(window.innerHeight * (isTouch.value ? 0.3 : 0.4));
    el.style.height = `${Math.min(el.scrollHeight, max)}px`;
  }, [text.value]);

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

  async function send() {
    const t = text.value.trim();
    if (!t || readOnly) return;
    const builtin = parseBuiltin(t);
    if (builtin) {
      pushHistory(sessionId, t);
      text.value = "";
      cursor.current = null;
      await runBuiltin(builtin.name, builtin.args);
      return;
    }
    const behaviour = chat.isStreaming.value ? mode.value : undefined;
    pushHistory(sessionId, t);
    cursor.current = null;
    text.value = "";
    const id = chat.addPending(t, behaviour);
    try {
      const res = await api.prompt(sessionId, t, behaviour);
      if (res?.sessionName) sessions.patch(sessionId, { name: res.sessionName });
      // A steer or follow-up shows in the queue until it is delivered.
      if (behaviour) chat.dropPending(id);
    } catch (e) {
      chat.failPending(id, (e as Error).message);
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

  function onKeyDown(e: KeyboardEvent) {
    const el = e.currentTarget as HTMLTextAreaElement;
    if (e.isComposing) return;
    if (commands.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = commands.length;
        slashActive.value = (slashActive.value + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pickCommand(commands[Math.min(slashActive.value, commands.length - 1)]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        slashClosed.value = true;
        return;
      }
    }
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
        : "Message the agent — Enter sends, Shift+Enter for a new line, / for commands, ↑ for history";

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div class="composer-bar">
        <ModelPicker provider={info.value?.modelProvider} modelId={info.value?.modelId} onPick={setModel} />
        <ThinkingPicker provider={info.value?.modelProvider} modelId={info.value?.modelId} level={info.value?.thinkingLevel} onPick={setThinking} />
        <ContextMeter context={context.value} />
      </div>
      <SlashPalette items={commands} active={Math.min(slashActive.value, Math.max(0, commands.length - 1))} onPick={pickCommand} />
      {/* Seam: `@` file completion renders here too (GET /files/complete). */}
      <div class="composer-row">
        {/* Seam: the attachment picker (paperclip), paste and drop handlers go here. */}
        <label class="sr-only" for="composer-input">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={area}
          rows={isTouch.value ? 2 : 3}
          value={text.value}
          disabled={readOnly}
          placeholder={placeholder}
          aria-keyshortcuts="Enter Shift+Enter Escape ArrowUp ArrowDown"
          aria-controls={commands.length > 0 ? "slash-list" : undefined}
          aria-activedescendant={commands.length > 0 ? `slash-${Math.min(slashActive.value, commands.length - 1)}` : undefined}
          onInput={(e) => {
            text.value = e.currentTarget.value;
            slashClosed.value = false;
            slashActive.value = 0;
          }}
          onKeyDown={onKeyDown}
        />
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
            {streaming ? (mode.value === "steer" ? "Steer" : "Queue") : "Send"}
          </button>
        </div>
      </div>
      {escArmed.value && (
        <p class="composer-hint" role="status">
          Press Esc again to stop the agent.
        </p>
      )}
    </form>
  );
}

