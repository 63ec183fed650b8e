// parsePartialJson reads the arguments of a tool call while they stream: the
// JSON is cut at an arbitrary point, so close what is open and parse that.
// Hand-written because it is a few lines and runs on every toolcall_delta.

export function parsePartialJson(src: string): Record<string, unknown> | undefined {
  const s = src.trim();
  if (!s) return undefined;
  try {
    const v = JSON.parse(s);
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    // fall through: close the open strings, arrays and objects
  }
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") stack.push("}");
    else if (c === "[") stack.push("]");
    else if (c === "}" || c === "]") stack.pop();
  }
  let fixed = s;
  if (inString) fixed += escaped ? '\\"' : '"';
  // A dangling key, colon or comma cannot be closed; cut back to the last complete value.
  const candidates = [fixed, fixed.replace(/([,{])\s*"(?:[^"\\]|\\.)*"\s*:?\s*$/, (_m, p: string) => (p === "{" ? "{" : ""))];
  for (const c of candidates) {
    const closed = c.replace(/[,:]\s*$/, "") + stack.slice().reverse().join("");
    try {
      const v = JSON.parse(closed);
      if (v && typeof v === "object" && !Array.isArray(v)) return v;
    } catch {
      // try the next cut
    }
  }
  return undefined;
}
