// `@` file references in the composer: finding the one being typed at the
// caret and inserting a completion. The server's rules (features 12.12): a
// reference starts the text or follows whitespace, `\@` is a literal @, and a
// path with spaces is written @"like this".

export interface Mention {
  /** Index of the @ in the text. */
  start: number;
  /** What was typed after the @ (without the opening quote). */
  query: string;
  quoted: boolean;
}

/** mentionAt finds the @reference the caret is in, or null. */
export function mentionAt(text: string, caret: number): Mention | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@("?)([^\s"]*|[^"]*)$/.exec(before);
  if (!m) return null;
  const quoted = m[2] === '"';
  const query = m[3];
  // Unquoted references end at whitespace: the greedy second branch must not reach across it.
  if (!quoted && /\s/.test(query)) return null;
  return { start: m.index + m[1].length, query, quoted };
}

/**
 * insertMention replaces the reference being typed with path. Directories
 * (a trailing /) stay open so completion can continue inside them; files get
 * a space after them.
 */
export function insertMention(text: string, caret: number, m: Mention, path: string): { text: string; caret: number } {
  const isDir = path.endsWith("/");
  const needsQuotes = /[\s"]/.test(path);
  const clean = path.replace(/"/g, "");
  let ref = needsQuotes ? `@"${clean}` : `@${clean}`;
  if (!isDir) ref += needsQuotes ? '" ' : " ";
  let after = text.slice(caret);
  // Swallow the rest of the word being completed, and a closing quote of a quoted one.
  const rest = /^[^\s"]*"?/.exec(after)?.[0] ?? "";
  after = after.slice(rest.length);
  if (!isDir && after.startsWith(" ")) after = after.slice(1);
  const head = text.slice(0, m.start) + ref;
  return { text: head + after, caret: head.length };
}

/** referencedPaths lists the @references in a draft, for the chips above the composer. */
export function referencedPaths(text: string): string[] {
  const out: string[] = [];
  const re = /(^|\s)@(?:"([^"]+)"|([^\s"]+))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = (m[2] ?? m[3]).replace(/[?,;:!)\]]+$/, "");
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

/** removeReference deletes every @reference to path from the draft. */
export function removeReference(text: string, path: string): string {
  const esc = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(new RegExp(`(^|\\s)@(?:"${esc}"|${esc})(?=[?,;:!)\\]]*(\\s|$))`, "g"), "$1")
    .replace(/ {2,}/g, " ")
    .replace(/^ /, "");
}
