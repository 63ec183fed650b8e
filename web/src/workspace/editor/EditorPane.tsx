import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorSelection, EditorState, Transaction, type Extension, type TransactionSpec } from "@codemirror/state";
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../../api/client";
import { useApp } from "../../app/context";
import { ConfirmDialog } from "../../components/common/Modal";
import { gutterMarks } from "../diff";
import { useWorkspace, type EditorTab } from "../store";
import { gitGutter, setGitMarks } from "./gitGutter";
import { extensionOf, languageFor } from "./languages";
import { editorTheme, highlighting } from "./theme";
import "../workspace.css";

/** What the editor holds for one tab. */
interface Doc {
  state: EditorState | null;
  /** The content last read from or written to disk. */
  saved: string;
  binary: boolean;
  error: string | null;
  language: string;
}

type SaveState = { kind: "clean" } | { kind: "saving" } | { kind: "saved"; at: Date } | { kind: "failed"; message: string };

const WRAP_KEY = "pi-forge/editor-wrap";

/**
 * EditorPane is the tabbed CodeMirror editor: one view, one EditorState per
 * tab (cursor and undo history survive switching), explicit save with
 * Ctrl/Cmd+S, reload when the agent changes an open file.
 */
export function EditorPane() {
  const { ui } = useApp();
  const ws = useWorkspace();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const docs = useRef(new Map<string, Doc>());
  const shown = useRef<string | null>(null);
  const language = useRef(new Compartment());
  const wrapping = useRef(new Compartment());
  const tick = useSignal(0); // re-render after doc-level changes
  const save = useSignal<SaveState>({ kind: "clean" });
  const closing = useSignal<{ ids: string[] } | null>(null);
  const wrap = useSignal<Record<string, boolean>>(readWrap());
  const projectId = ws.project.value?.id ?? "";
  const tabs = ws.tabs.value;
  const active = tabs.find((t) => t.id === ws.active.value) ?? null;

  useEffect(() => {
    const v = new EditorView({ parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  function extensions(tab: EditorTab, readOnly: boolean): Extension[] {
    return [
      lineNumbers(),
      gitGutter(),
      foldGutter(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      highlighting,
      bracketMatching(),
      closeBrackets(),
      autocompletion({ activateOnTyping: false }),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      keymap.of([
        { key: "Mod-s", preventDefault: true, run: () => (void saveTab(tab.id), true) },
        ...closeBracketsKeymap,
        ...defaultKeymap,
        ...searchKeymap,
        ...historyKeymap,
        ...foldKeymap,
        ...completionKeymap,
        indentWithTab,
      ]),
      editorTheme,
      language.current.of([]),
      wrapping.current.of(wrap.value[extensionOf(tab.path)] ? EditorView.lineWrapping : []),
      EditorState.readOnly.of(readOnly),
      EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        const d = docs.current.get(tab.id);
        const dirty = !!d && u.state.doc.toString() !== d.saved;
        const cur = ws.tabs.peek().find((t) => t.id === tab.id);
        if (cur && cur.dirty !== dirty) ws.patchTab(tab.id, { dirty });
        if (dirty && save.peek().kind !== "saving") save.value = { kind: "clean" };
      }),
    ];
  }

  async function load(tab: EditorTab): Promise<void> {
    const d: Doc = { state: null, saved: "", binary: false, error: null, language: languageFor(tab.path)?.name ?? "Plain text" };
    docs.current.set(tab.id, d);
    try {
      const r = await ws.api.read(projectId, tab.path);
      d.saved = r.content;
      d.binary = r.binary;
      d.state = EditorState.create({ doc: r.content, extensions: extensions(tab, r.binary) });
    } catch (e) {
      d.error = e instanceof ApiError && e.code === "file_too_large" ? "This file is larger than 5 MiB and cannot be opened in the editor." : (e as Error).message;
    }
    tick.value++;
    if (d.state && !d.binary) {
      void loadLanguage(tab);
      void refreshGutter(tab);
    }
  }

  async function loadLanguage(tab: EditorTab): Promise<void> {
    const info = languageFor(tab.path);
    if (!info) return;
    try {
      const ext = await info.load();
      apply(tab.id, { effects: language.current.reconfigure(ext) });
    } catch {
      // plain text it is
    }
  }

  async function refreshGutter(tab: EditorTab): Promise<void> {
    try {
      const r = await ws.api.gitFileDiff(projectId, undefined, tab.path, false);
      apply(tab.id, { effects: setGitMarks.of(r.isGitRepo ? gutterMarks(r.diff) : new Map()) });
    } catch {
      // no gutter
    }
  }

  /** apply runs a transaction on a tab's state, in the view when it is shown. */
  function apply(id: string, spec: TransactionSpec): void {
    const d = docs.current.get(id);
    if (!d?.state) return;
    if (shown.current === id && view.current) view.current.dispatch(spec);
    else d.state = d.state.update(spec).state;
  }

  function currentState(id: string): EditorState | null {
    if (shown.current === id && view.current) return view.current.state;
    return docs.current.get(id)?.state ?? null;
  }

  async function saveTab(id: string): Promise<void> {
    const tab = ws.tabs.peek().find((t) => t.id === id);
    const state = currentState(id);
    const d = docs.current.get(id);
    if (!tab || !state || !d || d.binary) return;
    const content = state.doc.toString();
    save.value = { kind: "saving" };
    try {
      await ws.api.write(projectId, tab.path, content);
      d.saved = content;
      ws.patchTab(id, { dirty: currentState(id)?.doc.toString() !== content, stale: false });
      save.value = { kind: "saved", at: new Date() };
      ws.gitVersion.value++;
      void refreshGutter(tab);
    } catch (e) {
      save.value = { kind: "failed", message: (e as Error).message };
    }
  }

  /** reload replaces a tab's text with the file on disk, keeping the cursor where it can. */
  async function reload(tab: EditorTab): Promise<void> {
    const d = docs.current.get(tab.id);
    const state = currentState(tab.id);
    if (!d || !state) return load(tab);
    try {
      const r = await ws.api.read(projectId, tab.path);
      d.saved = r.content;
      if (r.content !== state.doc.toString()) {
        const head = Math.min(state.selection.main.head, r.content.length);
        apply(tab.id, {
          changes: { from: 0, to: state.doc.length, insert: r.content },
          selection: EditorSelection.cursor(head),
          annotations: Transaction.addToHistory.of(false),
        });
      }
      ws.patchTab(tab.id, { dirty: false, stale: false });
      void refreshGutter(tab);
    } catch (e) {
      ui.toast(`Reload: ${(e as Error).message}`);
    }
  }

  // The agent (or an upload) changed a file: clean tabs reload silently,
  // dirty ones are flagged and the user chooses.
  useEffect(
    () =>
      ws.onFileChanged((path) => {
        for (const tab of ws.tabs.peek()) {
          if (tab.path !== path || !docs.current.has(tab.id)) continue;
          if (tab.dirty) ws.patchTab(tab.id, { stale: true });
          else void reload(tab);
        }
      }),
    [projectId],
  );

  // Changes made elsewhere (the terminal): check the shown file when the page comes back into view.
  useEffect(() => {
    async function check() {
      const tab = ws.tabs.peek().find((t) => t.id === shown.current);
      const d = tab && docs.current.get(tab.id);
      if (!tab || !d?.state || document.visibilityState !== "visible") return;
      try {
        const r = await ws.api.read(projectId, tab.path);
        if (r.content === d.saved) return;
        if (tab.dirty) ws.patchTab(tab.id, { stale: true });
        else void reload(tab);
      } catch {
        // gone or unreadable: keep what is shown
      }
    }
    window.addEventListener("focus", check);
    document.addEventListener("visibilitychange", check);
    return () => {
      window.removeEventListener("focus", check);
      document.removeEventListener("visibilitychange", check);
    };
  }, [projectId]);

  // Show the active tab: park the previous state, load the new one on first use.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const prev = shown.current;
    if (prev && prev !== active?.id) {
      const d = docs.current.get(prev);
      if (d?.state) d.state = v.state;
    }
    if (!active) {
      shown.current = null;
      return;
    }
    const d = docs.current.get(active.id);
    if (!d) {
      shown.current = null;
      void load(active);
      return;
    }
    if (d.state && shown.current !== active.id) {
      v.setState(d.state);
      shown.current = active.id;
      save.value = { kind: "clean" };
    }
    revealNow();
  }, [active?.id, tick.value]);

  // Forget the docs of closed tabs.
  useEffect(() => {
    const ids = new Set(tabs.map((t) => t.id));
    for (const id of docs.current.keys()) if (!ids.has(id)) docs.current.delete(id);
  }, [tabs]);

  const reveal = ws.reveal.value;
  useEffect(revealNow, [reveal?.seq]);
  function revealNow(): void {
    const r = ws.reveal.peek();
    const v = view.current;
    if (!r || !v || !active || r.path !== active.path || shown.current !== active.id) return;
    const doc = v.state.doc;
    const line = doc.line(Math.max(1, Math.min(r.line, doc.lines)));
    const pos = Math.min(line.to, line.from + Math.max(0, r.column - 1));
    v.dispatch({ selection: EditorSelection.cursor(pos), effects: EditorView.scrollIntoView(pos, { y: "center" }) });
    v.focus();
    ws.reveal.value = null;
  }

  function toggleWrap(): void {
    if (!active) return;
    const ext = extensionOf(active.path);
    const next = { ...wrap.value, [ext]: !wrap.value[ext] };
    wrap.value = next;
    writeWrap(next);
    for (const t of tabs) if (extensionOf(t.path) === ext) apply(t.id, { effects: wrapping.current.reconfigure(next[ext] ? EditorView.lineWrapping : []) });
  }

  function requestClose(ids: string[]): void {
    if (tabs.some((t) => ids.includes(t.id) && t.dirty)) closing.value = { ids };
    else ids.forEach((id) => ws.closeTab(id));
  }

  const doc = active ? docs.current.get(active.id) : undefined;
  const s = save.value;
  return (
    <div
      class="editor-pane"
      onKeyDown={(e) => {
        // Ctrl/Cmd+S anywhere in the pane (tab strip, status bar) saves rather than opening the browser's dialog.
        if (!e.defaultPrevented && e.key.toLowerCase() === "s" && (e.ctrlKey || e.metaKey) && !e.altKey && active) {
          e.preventDefault();
          void saveTab(active.id);
        }
      }}
    >
      <div class="editor-tabs" role="tablist" aria-label="Open files">
        <button type="button" class="icon-btn" title="Close all files" aria-label="Close all files" onClick={() => requestClose(tabs.map((t) => t.id))}>
          ×
        </button>
        {tabs.map((t) => {
          const name = t.path.slice(t.path.lastIndexOf("/") + 1);
          return (
            <div key={t.id} class={`editor-tab${t.id === active?.id ? " active" : ""}${t.stale ? " stale" : ""}`} title={ws.relPath(t.path)}>
              <button
                type="button"
                role="tab"
                aria-selected={t.id === active?.id}
                onClick={() => (ws.active.value = t.id)}
                onAuxClick={(e) => e.button === 1 && requestClose([t.id])}
              >
                {t.stale && <span class="tab-warn" aria-label="changed on disk">!</span>}
                {name}
                {t.dirty && (
                  <span class="tab-dirty" aria-label="unsaved changes">
                    ●
                  </span>
                )}
              </button>
              <button type="button" class="icon-btn tab-close" aria-label={`Close ${name}`} onClick={() => requestClose([t.id])}>
                ×
              </button>
            </div>
          );
        })}
      </div>
      {active?.stale && (
        <div class="banner editor-stale" role="alert">
          <span>This file changed on disk while you were editing it.</span>
          <button type="button" class="btn btn-small" onClick={() => void reload(active)}>
            Reload
          </button>
          <button type="button" class="btn btn-small" onClick={() => ws.patchTab(active.id, { stale: false })}>
            Keep mine
          </button>
        </div>
      )}
      <div class="editor-body">
        <div ref={host} class="editor-host" hidden={!doc?.state || doc.binary} />
        {active && !doc && <p class="ws-loading">Loading…</p>}
        {doc?.binary && <p class="empty-note">Binary file: not shown.</p>}
        {doc?.error && (
          <p class="form-error editor-error" role="alert">
            {doc.error}
          </p>
        )}
      </div>
      <div class="editor-status" role="status">
        <span>{doc?.language ?? ""}</span>
        <button type="button" class="btn btn-ghost btn-small" aria-pressed={!!(active && wrap.value[extensionOf(active.path)])} onClick={toggleWrap}>
          wrap
        </button>
        <span class="ws-spacer" />
        <span class={s.kind === "failed" ? "form-error" : "muted"}>
          {active?.dirty
            ? s.kind === "saving"
              ? "Saving…"
              : s.kind === "failed"
                ? `Save failed: ${s.message}`
                : "Unsaved"
            : s.kind === "saved"
              ? `Saved ${s.at.toLocaleTimeString()}`
              : "Up to date"}
        </span>
        <button type="button" class="btn btn-primary btn-small" disabled={!active?.dirty || s.kind === "saving"} onClick={() => active && void saveTab(active.id)}>
          Save
        </button>
      </div>
      {closing.value && (
        <ConfirmDialog
          title="Discard unsaved changes?"
          message={<p>Some of the files you are closing have changes that are not saved.</p>}
          confirmLabel="Discard and close"
          danger
          onConfirm={() => {
            closing.value!.ids.forEach((id) => ws.closeTab(id));
            closing.value = null;
          }}
          onCancel={() => (closing.value = null)}
        />
      )}
    </div>
  );
}

function readWrap(): Record<string, boolean> {
  try {
    return JSON.parse(localStorage.getItem(WRAP_KEY) ?? "{}") as Record<string, boolean>;
  } catch {
    return {};
  }
}

function writeWrap(v: Record<string, boolean>): void {
  try {
    localStorage.setItem(WRAP_KEY, JSON.stringify(v));
  } catch {
    // not remembered
  }
}
