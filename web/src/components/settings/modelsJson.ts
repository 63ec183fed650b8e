// Checks for a models.json draft before it is sent: JSON that parses, with
// the shape the server expects. The server has the last word (its 400 message
// is shown as it is); this catches typos with a line and column.

export const REDACTED = "***REDACTED***";

export interface JsonProblem {
  message: string;
  line?: number;
  column?: number;
}

/** parseJson parses text, or says where it breaks. */
export function parseJson(text: string): { value: unknown } | { problem: JsonProblem } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    const msg = (e as Error).message;
    const lc = /line (\d+) column (\d+)/.exec(msg);
    if (lc) return { problem: { message: msg, line: Number(lc[1]), column: Number(lc[2]) } };
    const pos = /position (\d+)/.exec(msg);
    if (pos) return { problem: { message: msg, ...lineColumn(text, Number(pos[1])) } };
    return { problem: { message: msg } };
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** checkModels lists what is wrong with a models.json document (empty when it looks right). */
export function checkModels(doc: unknown): string[] {
  const out: string[] = [];
  if (!isObject(doc)) return ["The document must be a JSON object."];
  if (!isObject(doc.providers)) return ['It needs a "providers" object: { "providers": { "name": { ... } } }.'];
  for (const [name, p] of Object.entries(doc.providers)) {
    if (!isObject(p)) {
      out.push(`providers.${name} must be an object.`);
      continue;
    }
    for (const k of ["baseUrl", "api", "apiKey"] as const) if (p[k] !== undefined && typeof p[k] !== "string") out.push(`providers.${name}.${k} must be a string.`);
    if (p.models === undefined) continue;
    if (!Array.isArray(p.models)) {
      out.push(`providers.${name}.models must be an array.`);
      continue;
    }
    p.models.forEach((m, i) => {
      if (!isObject(m) || typeof m.id !== "string" || !m.id) out.push(`providers.${name}.models[${i}] needs an "id" string.`);
      else for (const k of ["contextWindow", "maxTokens"] as const) if (m[k] !== undefined && typeof m[k] !== "number") out.push(`providers.${name}.models[${i}].${k} must be a number.`);
    });
  }
  return out;
}

/** redactedKeys names the providers whose key is the server's placeholder (kept as stored when saved). */
export function redactedKeys(doc: unknown): string[] {
  if (!isObject(doc) || !isObject(doc.providers)) return [];
  return Object.entries(doc.providers)
    .filter(([, p]) => isObject(p) && p.apiKey === REDACTED)
    .map(([n]) => n);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
