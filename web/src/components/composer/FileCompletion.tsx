import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import { mentionAt } from "./mentions";

const DEBOUNCE_MS = 100;
const LIMIT = 20;

export interface CompletionState {
  items: string[];
  active: number;
}

/**
 * useFileCompletion follows the `@reference` at the caret and asks the server
 * for matching paths (GET /files/complete), debounced; older answers that
 * arrive late are dropped.
 */
export function useFileCompletion(projectId: string | null) {
  const { api } = useApp();
  const state = useSignal<CompletionState | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pending = useRef<AbortController | null>(null);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      pending.current?.abort();
    },
    [],
  );

  function close(): void {
    clearTimeout(timer.current);
    pending.current?.abort();
    pending.current = null;
    state.value = null;
  }

  /** update looks at the text and caret after every edit or caret move. */
  function update(text: string, caret: number): void {
    const m = mentionAt(text, caret);
    if (!m || !projectId) return close();
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      pending.current?.abort();
      const ctl = new AbortController();
      pending.current = ctl;
      api.completeFiles(projectId, m.query, LIMIT, ctl.signal).then(
        (r) => {
          if (ctl.signal.aborted) return;
          state.value = r.paths.length > 0 ? { items: r.paths, active: 0 } : null;
        },
        () => undefined,
      );
    }, DEBOUNCE_MS);
  }

  function move(delta: number): void {
    const s = state.value;
    if (!s) return;
    const n = s.items.length;
    state.value = { ...s, active: (s.active + delta + n) % n };
  }

  return { state, update, close, move };
}

interface Props {
  state: CompletionState;
  onPick: (path: string) => void;
}

/** FileCompletion lists the paths that complete the `@reference` being typed. */
export function FileCompletion({ state, onPick }: Props) {
  return (
    <ul class="slash-palette popover-list file-completion" role="listbox" aria-label="Files" id="mention-list">
      {state.items.map((p, i) => {
        const slash = p.replace(/\/$/, "").lastIndexOf("/");
        return (
          <li
            key={p}
            id={`mention-${i}`}
            role="option"
            aria-selected={i === state.active}
            class={i === state.active ? "active" : ""}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(p)}
          >
            <span class="cmd-name">{p.slice(slash + 1)}</span>
            <span class="muted cmd-desc">{slash >= 0 ? p.slice(0, slash + 1) : ""}</span>
          </li>
        );
      })}
    </ul>
  );
}
