// Diff models for the git and last-turn panels: git's unified diffs and the
// edit tool's numbered diffs ("+N text", " N text", " ... ") parsed into one
// row model, hunks numbered as git counts them (for /git/apply-hunks), and
// rows paired side by side for the split view.

export type RowKind = "add" | "del" | "ctx" | "skip" | "hunk" | "meta";

export interface DiffRow {
  kind: RowKind;
  /** Line number in the old file (del, ctx). */
  old?: number;
  /** Line number in the new file (add, ctx). */
  new?: number;
  text: string;
  /** Index of the hunk the row belongs to (unified diffs only). */
  hunk?: number;
}

export interface DiffFile {
  /** The new path (or the old one when the file was deleted). */
  path: string;
  oldPath?: string;
  binary: boolean;
  rows: DiffRow[];
  hunks: number;
  additions: number;
  deletions: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/** isUnified tells a git diff from the edit tool's numbered one. */
export function isUnified(diff: string): boolean {
  return /^@@ -\d/m.test(diff);
}

/** parseUnified splits a git diff into files of rows. Hunk bodies are read by their line counts, so content that looks like a header stays content. */
export function parseUnified(diff: string): DiffFile[] {
  const files: DiffFile[] = [];
  let f: DiffFile | null = null;
  let oldNo = 0;
  let newNo = 0;
  let oldLeft = 0;
  let newLeft = 0;
  let inGitHeader = false;
  const start = (path: string): DiffFile => {
    const nf: DiffFile = { path, binary: false, rows: [], hunks: 0, additions: 0, deletions: 0 };
    files.push(nf);
    return nf;
  };
  for (const line of diff.split("\n")) {
    if (f && (oldLeft > 0 || newLeft > 0)) {
      const hunk = f.hunks - 1;
      if (line.startsWith("+")) {
        f.rows.push({ kind: "add", new: newNo++, text: line.slice(1), hunk });
        f.additions++;
        newLeft--;
        continue;
      }
      if (line.startsWith("-")) {
        f.rows.push({ kind: "del", old: oldNo++, text: line.slice(1), hunk });
        f.deletions++;
        oldLeft--;
        continue;
      }
      if (line.startsWith(" ") || line === "") {
        f.rows.push({ kind: "ctx", old: oldNo++, new: newNo++, text: line.slice(1), hunk });
        oldLeft--;
        newLeft--;
        continue;
      }
      if (line.startsWith("\\")) {
        f.rows.push({ kind: "meta", text: line, hunk });
        continue;
      }
      oldLeft = newLeft = 0; // a short hunk: read on as headers
    }
    if (line.startsWith("\\") && f) {
      f.rows.push({ kind: "meta", text: line, hunk: f.hunks - 1 });
      continue;
    }
    if (line.startsWith("diff --git ")) {
      const m = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
      f = start(m ? m[2] : line.slice(11));
      inGitHeader = true;
      continue;
    }
    if (line.startsWith("--- ")) {
      if (!inGitHeader) f = start("");
      const p = stripPrefix(line.slice(4));
      if (p !== "/dev/null") f!.oldPath = p;
      continue;
    }
    if (!f) continue;
    if (line.startsWith("+++ ")) {
      const p = stripPrefix(line.slice(4));
      f.path = p === "/dev/null" ? (f.oldPath ?? f.path) : p;
      if (!f.path) f.path = f.oldPath ?? "";
      continue;
    }
    const h = HUNK.exec(line);
    if (h) {
      inGitHeader = false;
      oldNo = Number(h[1]);
      newNo = Number(h[3]);
      oldLeft = h[2] === undefined ? 1 : Number(h[2]);
      newLeft = h[4] === undefined ? 1 : Number(h[4]);
      f.rows.push({ kind: "hunk", text: line, hunk: f.hunks });
      f.hunks++;
      continue;
    }
    if (inGitHeader) {
      if (line.startsWith("Binary files ") || line.startsWith("GIT binary patch")) f.binary = true;
      else if (line && !line.startsWith("index ")) f.rows.push({ kind: "meta", text: line });
    }
  }
  return files;
}

function stripPrefix(p: string): string {
  const clean = p.replace(/\t.*$/, "");
  return clean.startsWith("a/") || clean.startsWith("b/") ? clean.slice(2) : clean;
}

/** parseToolDiffRows reads the edit tool's numbered diff. */
export function parseToolDiffRows(diff: string): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const raw of diff.split("\n")) {
    if (raw === "") continue;
    const m = /^([+\- ])(\s*\d*)\s?(.*)$/.exec(raw);
    const sign = raw[0];
    const num = m?.[2]?.trim() ? Number(m[2].trim()) : undefined;
    const text = m?.[3] ?? raw.slice(1);
    if (sign === "+") rows.push({ kind: "add", new: num, text });
    else if (sign === "-") rows.push({ kind: "del", old: num, text });
    else if (num === undefined && text.trim() === "...") rows.push({ kind: "skip", text: "⋯" });
    else rows.push({ kind: "ctx", old: num, new: num, text });
  }
  return rows;
}

/** parseAny reads a last-turn entry's diff, whichever format it has. */
export function parseAny(diff: string, path: string): DiffFile {
  if (isUnified(diff)) {
    const files = parseUnified(diff);
    if (files.length === 1) return files[0];
    if (files.length > 1) {
      // Several edits of one file: one list of rows, hunks renumbered.
      const rows = files.flatMap((f) => f.rows);
      return { path, binary: false, rows, hunks: files.reduce((n, f) => n + f.hunks, 0), additions: count(rows, "add"), deletions: count(rows, "del") };
    }
  }
  const rows = parseToolDiffRows(diff);
  return { path, binary: false, rows, hunks: 0, additions: count(rows, "add"), deletions: count(rows, "del") };
}

function count(rows: DiffRow[], kind: RowKind): number {
  return rows.reduce((n, r) => n + (r.kind === kind ? 1 : 0), 0);
}

export interface SplitRow {
  left?: DiffRow;
  right?: DiffRow;
  /** A full-width row (hunk header, skip, meta). */
  full?: DiffRow;
}

/** splitRows pairs deletions with the additions that follow them, for the side-by-side view. */
export function splitRows(rows: DiffRow[]): SplitRow[] {
  const out: SplitRow[] = [];
  let i = 0;
  while (i < rows.length) {
    const r = rows[i];
    if (r.kind === "ctx") {
      out.push({ left: r, right: r });
      i++;
    } else if (r.kind === "del" || r.kind === "add") {
      const dels: DiffRow[] = [];
      const adds: DiffRow[] = [];
      while (i < rows.length && rows[i].kind === "del") dels.push(rows[i++]);
      while (i < rows.length && rows[i].kind === "add") adds.push(rows[i++]);
      for (let k = 0; k < Math.max(dels.length, adds.length); k++) out.push({ left: dels[k], right: adds[k] });
    } else {
      out.push({ full: r });
      i++;
    }
  }
  return out;
}

export type GutterMark = "added" | "modified" | "deleted";

/**
 * gutterMarks turns a file's diff (work tree against the index) into marks
 * for lines of the new file: added lines, modified lines (additions that
 * replace deletions) and deletion points (the line after which lines went).
 */
export function gutterMarks(diff: string): Map<number, GutterMark> {
  const marks = new Map<number, GutterMark>();
  const file = parseUnified(diff)[0];
  if (!file) return marks;
  const rows = file.rows;
  let i = 0;
  while (i < rows.length) {
    if (rows[i].kind !== "del" && rows[i].kind !== "add") {
      i++;
      continue;
    }
    const dels: DiffRow[] = [];
    const adds: DiffRow[] = [];
    while (i < rows.length && rows[i].kind === "del") dels.push(rows[i++]);
    while (i < rows.length && rows[i].kind === "add") adds.push(rows[i++]);
    adds.forEach((a, k) => marks.set(a.new!, k < dels.length ? "modified" : "added"));
    if (adds.length === 0 && dels.length > 0) {
      // The deletion sits before the next context line; mark the line above it.
      const next = rows[i];
      const at = next?.new !== undefined ? next.new - 1 : (rows.slice(0, i).reverse().find((r) => r.new !== undefined)?.new ?? 0);
      marks.set(Math.max(1, at), "deleted");
    }
  }
  return marks;
}
