import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal } from "@xterm/xterm";
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../app/context";
import { TermSocket, terminalUrl, type TermState } from "./socket";
import { loadTabs, newTabId, nextTitle, saveTabs, type TermTab, type TermTabs } from "./tabs";
import { onThemeChange, themeFromCss } from "./theme";
import "./terminal.css";

/** TerminalPane is the project's terminal tabs; each tab is a PTY on the server that outlives page reloads. */
export function TerminalPane({ projectId }: { projectId: string }) {
  return <TerminalTabsView key={projectId} projectId={projectId} />;
}

function TerminalTabsView({ projectId }: { projectId: string }) {
  const state = useSignal<TermTabs>(loadTabs(projectId));
  // Tabs closed by the user end their PTY; remember which, for the unmount.
  const ended = useRef(new Set<string>());

  function set(next: TermTabs): void {
    state.value = next;
    saveTabs(projectId, next);
  }
  function add(): void {
    const tab = { id: newTabId(), title: nextTitle(state.value.tabs) };
    set({ tabs: [...state.value.tabs, tab], active: tab.id });
  }
  function close(id: string): void {
    ended.current.add(id);
    const i = state.value.tabs.findIndex((t) => t.id === id);
    const tabs = state.value.tabs.filter((t) => t.id !== id);
    set({ tabs, active: state.value.active === id ? (tabs[Math.min(i, tabs.length - 1)]?.id ?? null) : state.value.active });
  }
  /** restart replaces a tab whose shell exited with a fresh one under a new id. */
  function restart(id: string): void {
    const tabs = state.value.tabs.map((t) => (t.id === id ? { ...t, id: newTabId() } : t));
    const fresh = tabs[state.value.tabs.findIndex((t) => t.id === id)];
    set({ tabs, active: fresh?.id ?? state.value.active });
  }

  useEffect(() => {
    if (state.value.tabs.length === 0) add();
  }, []);

  const { tabs, active } = state.value;
  return (
    <div class="term-pane">
      <div class="term-tabs" role="tablist" aria-label="Terminals">
        {tabs.map((t) => (
          <div key={t.id} class={`term-tab${t.id === active ? " active" : ""}`}>
            <button type="button" role="tab" aria-selected={t.id === active} onClick={() => set({ tabs, active: t.id })}>
              {t.title}
            </button>
            <button type="button" class="icon-btn" aria-label={`Close ${t.title}`} title="Close (ends the shell)" onClick={() => close(t.id)}>
              ×
            </button>
          </div>
        ))}
        <button type="button" class="btn btn-ghost btn-small" onClick={add}>
          + New
        </button>
      </div>
      <div class="term-body">
        {tabs.map((t) => (
          <TerminalView key={t.id} projectId={projectId} tab={t} visible={t.id === active} ended={ended.current} onRestart={() => restart(t.id)} onClose={() => close(t.id)} />
        ))}
      </div>
    </div>
  );
}

interface ViewProps {
  projectId: string;
  tab: TermTab;
  visible: boolean;
  ended: Set<string>;
  onRestart: () => void;
  onClose: () => void;
}

function TerminalView({ projectId, tab, visible, ended, onRestart, onClose }: ViewProps) {
  const { api, auth } = useApp();
  const host = useRef<HTMLDivElement>(null);
  const fit = useRef<FitAddon | null>(null);
  const term = useRef<Terminal | null>(null);
  const sock = useRef<TermSocket | null>(null);
  const status = useSignal<TermState>({ kind: "connecting" });

  useEffect(() => {
    const t = new Terminal({
      theme: themeFromCss(),
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue("--mono").trim() || "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      allowProposedApi: false,
    });
    const f = new FitAddon();
    t.loadAddon(f);
    t.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, "_blank", "noopener,noreferrer")));
    t.open(host.current!);
    // Mobile keyboards must not "correct" shell input.
    const ta = host.current!.querySelector("textarea");
    ta?.setAttribute("autocorrect", "off");
    ta?.setAttribute("autocapitalize", "off");
    ta?.setAttribute("spellcheck", "false");
    term.current = t;
    fit.current = f;
    let opened = false;

    const s = new TermSocket({
      url: () => terminalUrl(location, projectId, tab.id, api.token.get()),
      onData: (d) => t.write(d),
      onState: (st) => {
        // Every attach replays the PTY's recent output: start from a clean screen so a reattach does not show it twice.
        if (st.kind === "open" && opened) t.reset();
        if (st.kind === "open") opened = true;
        status.value = st;
        if (st.kind === "auth") auth.unauthorized();
      },
    });
    sock.current = s;
    t.onData((d) => s.input(d));
    t.onBinary((d) => s.input(d));
    t.onResize(({ cols, rows }) => s.resize(cols, rows));
    // Copy on select, Ctrl+Shift+C to copy, Ctrl+Shift+V to paste.
    t.onSelectionChange(() => {
      const sel = t.getSelection();
      if (sel) void navigator.clipboard?.writeText(sel).catch(() => undefined);
    });
    t.attachCustomKeyEventHandler((e) => {
      if (e.type !== "keydown" || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === "KeyC") {
        const sel = t.getSelection();
        if (sel) void navigator.clipboard?.writeText(sel).catch(() => undefined);
        return false;
      }
      if (e.code === "KeyV" && navigator.clipboard?.readText) {
        void navigator.clipboard.readText().then((text) => t.paste(text), () => undefined);
        return false;
      }
      return true;
    });
    safeFit(f);
    s.resize(t.cols, t.rows);
    s.connect();

    const ro = new ResizeObserver(() => safeFit(f));
    ro.observe(host.current!);
    const stopTheme = onThemeChange(() => (t.options.theme = themeFromCss()));
    return () => {
      ro.disconnect();
      stopTheme();
      // Unmounting because the user closed the tab ends the shell; any other unmount only detaches.
      s.close(ended.has(tab.id));
      t.dispose();
      term.current = null;
    };
  }, [tab.id]);

  useEffect(() => {
    if (!visible || !fit.current) return;
    requestAnimationFrame(() => {
      if (fit.current) safeFit(fit.current);
      term.current?.focus();
    });
  }, [visible]);

  const st = status.value;
  return (
    <div class="term-view" hidden={!visible} role="tabpanel" aria-label={tab.title}>
      {/* Keys typed into the shell are the shell's: the app's shortcuts (Ctrl+B, Ctrl+J) must not fire too. Ctrl+` still toggles the pane. */}
      <div ref={host} class="term-host" onKeyDown={(e) => e.key !== "`" && e.stopPropagation()} />
      {st.kind !== "open" && st.kind !== "connecting" && (
        <div class={`term-notice term-${st.kind}`} role="status">
          {st.kind === "reconnecting" && (
            <>
              <span>Connection lost. Reconnecting (attempt {st.attempt})…</span>
              <button type="button" class="btn btn-small" onClick={() => sock.current?.connect()}>
                Reconnect now
              </button>
            </>
          )}
          {st.kind === "exited" && (
            <>
              <span>The shell exited.</span>
              <button type="button" class="btn btn-small" onClick={onRestart}>
                Start a new shell
              </button>
              <button type="button" class="btn btn-ghost btn-small" onClick={onClose}>
                Close tab
              </button>
            </>
          )}
          {st.kind === "replaced" && (
            <>
              <span>This terminal was opened in another window or tab.</span>
              <button type="button" class="btn btn-small" onClick={() => sock.current?.connect()}>
                Use it here
              </button>
            </>
          )}
          {st.kind === "gone" && <span>The project no longer exists.</span>}
          {st.kind === "auth" && <span>Sign in again to use the terminal.</span>}
          {st.kind === "failed" && (
            <>
              <span>The terminal failed ({st.reason}).</span>
              <button type="button" class="btn btn-small" onClick={onRestart}>
                Start a new shell
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** safeFit sizes the terminal to its box; a hidden box (0×0) is left alone. */
function safeFit(f: FitAddon): void {
  try {
    const d = f.proposeDimensions();
    if (d && d.cols > 1 && d.rows > 1) f.fit();
  } catch {
    // not laid out yet
  }
}
