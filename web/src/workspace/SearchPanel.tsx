import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { SearchMatch, SearchResult } from "./api";
import { useWorkspace } from "./store";
import "./workspace.css";

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;

interface Group {
  path: string;
  matches: SearchMatch[];
}

export function groupMatches(matches: SearchMatch[]): Group[] {
  const out: Group[] = [];
  for (const m of matches) {
    const last = out[out.length - 1];
    if (last && last.path === m.path) last.matches.push(m);
    else out.push({ path: m.path, matches: [m] });
  }
  return out;
}

/** SearchPanel greps the project (ripgrep, or the server's own engine) and opens hits in the editor. */
export function SearchPanel() {
  const ws = useWorkspace();
  const projectId = ws.project.value!.id;
  const q = useSignal("");
  const regex = useSignal(false);
  const caseSensitive = useSignal(false);
  const includeGitignored = useSignal(false);
  const showGlobs = useSignal(false);
  const include = useSignal("");
  const exclude = useSignal("");
  const result = useSignal<SearchResult | null>(null);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const collapsed = useSignal<Set<string>>(new Set());

  const query = { q: q.value, regex: regex.value, caseSensitive: caseSensitive.value, includeGitignored: includeGitignored.value, include: include.value.trim(), exclude: exclude.value.trim() };
  const key = JSON.stringify(query);
  useEffect(() => {
    if (query.q.length < MIN_CHARS) {
      result.value = null;
      error.value = null;
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(async () => {
      busy.value = true;
      try {
        result.value = await ws.api.search(projectId, { ...query, include: query.include || undefined, exclude: query.exclude || undefined }, ctl.signal);
        error.value = null;
        collapsed.value = new Set();
      } catch (e) {
        if ((e as Error).name !== "AbortError") error.value = (e as Error).message;
      } finally {
        busy.value = false;
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [key, projectId]);

  const res = result.value;
  const groups = res ? groupMatches(res.matches) : [];
  const toggle = (s: typeof regex, label: string, short: string) => (
    <button type="button" class="toggle search-toggle" aria-pressed={s.value} title={label} aria-label={label} onClick={() => (s.value = !s.value)}>
      {short}
    </button>
  );
  return (
    <div class="search-panel">
      <div class="search-form">
        <input type="search" placeholder="Search the project" aria-label="Search the project" value={q.value} onInput={(e) => (q.value = e.currentTarget.value)} />
        <div class="search-toggles" role="group" aria-label="Search options">
          {toggle(regex, "Regular expression", ".*")}
          {toggle(caseSensitive, "Case sensitive", "Aa")}
          {toggle(includeGitignored, "Include ignored and hidden files", "ign")}
          <button type="button" class="toggle search-toggle" aria-expanded={showGlobs.value} title="File filters" onClick={() => (showGlobs.value = !showGlobs.value)}>
            globs
          </button>
        </div>
        {showGlobs.value && (
          <div class="search-globs">
            <input placeholder="files to include, e.g. *.ts or src/**" aria-label="Files to include (glob)" maxLength={256} value={include.value} onInput={(e) => (include.value = e.currentTarget.value)} />
            <input placeholder="files to exclude, e.g. *.test.ts" aria-label="Files to exclude (glob)" maxLength={256} value={exclude.value} onInput={(e) => (exclude.value = e.currentTarget.value)} />
          </div>
        )}
      </div>
      <div class="search-summary" role="status">
        {busy.value && <span class="muted">Searching…</span>}
        {!busy.value && res && (
          <span class="muted">
            {res.matches.length} match{res.matches.length === 1 ? "" : "es"} in {groups.length} file{groups.length === 1 ? "" : "s"}
            {res.truncated && " (more not shown)"}
          </span>
        )}
        {res?.engine === "node" && (
          <span class="pill pill-warn" title="ripgrep is not installed on the server; the built-in engine is slower">
            built-in engine
          </span>
        )}
      </div>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="search-results">
        {groups.map((g) => {
          const closed = collapsed.value.has(g.path);
          return (
            <div key={g.path} class="search-group">
              <button
                type="button"
                class="search-file"
                aria-expanded={!closed}
                onClick={() => {
                  const next = new Set(collapsed.value);
                  if (closed) next.delete(g.path);
                  else next.add(g.path);
                  collapsed.value = next;
                }}
              >
                <span aria-hidden="true">{closed ? "▸" : "▾"}</span>
                <span class="search-path">{g.path}</span>
                <span class="pill">{g.matches.length}</span>
              </button>
              {!closed &&
                g.matches.map((m, i) => (
                  <button key={i} type="button" class="search-hit" onClick={() => ws.openFile(ws.absPath(m.path), m.line, m.column)} title={`${g.path}:${m.line}:${m.column}`}>
                    <span class="search-loc">
                      {m.line}:{m.column}
                    </span>
                    <Snippet m={m} />
                  </button>
                ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** Snippet shows the line with the match highlighted (column and length are UTF-16 units, as JS strings count). */
function Snippet({ m }: { m: SearchMatch }) {
  const s = m.lineSnippet;
  const start = Math.max(0, m.column - 1);
  const end = Math.min(s.length, start + m.length);
  // Long lines: keep some text before the match in view.
  const from = start > 60 ? start - 40 : 0;
  return (
    <span class="search-snippet">
      {from > 0 && "…"}
      {s.slice(from, start).trimStart()}
      <mark>{s.slice(start, end)}</mark>
      {s.slice(end, end + 200)}
    </span>
  );
}
