// DiffView shows the edit tool's diff (details.diff): lines "+N text",
// "-N text", " N text" and " ... " for skipped context, N padded to a width.

export interface DiffLine {
  kind: "add" | "del" | "ctx" | "skip";
  num: string;
  text: string;
}

export function parseToolDiff(diff: string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const raw of diff.split("\n")) {
    if (raw === "") continue;
    const sign = raw[0];
    const m = /^[+\- ](\s*\d*)\s?(.*)$/.exec(raw);
    const num = m?.[1]?.trim() ?? "";
    const text = m?.[2] ?? raw.slice(1);
    if (sign === "+") out.push({ kind: "add", num, text });
    else if (sign === "-") out.push({ kind: "del", num, text });
    else if (num === "" && text.trim() === "...") out.push({ kind: "skip", num: "", text: "⋯" });
    else out.push({ kind: "ctx", num, text });
  }
  return out;
}

export function diffStats(lines: DiffLine[]): { adds: number; dels: number } {
  let adds = 0;
  let dels = 0;
  for (const l of lines) {
    if (l.kind === "add") adds++;
    else if (l.kind === "del") dels++;
  }
  return { adds, dels };
}

export function DiffView({ lines }: { lines: DiffLine[] }) {
  return (
    <div class="diff" role="table" aria-label="Changes">
      {lines.map((l, i) => (
        <div key={i} class={`diff-line diff-${l.kind}`} role="row">
          <span class="diff-num" role="cell">
            {l.num}
          </span>
          <span class="diff-sign" role="cell" aria-label={l.kind === "add" ? "added" : l.kind === "del" ? "removed" : undefined}>
            {l.kind === "add" ? "+" : l.kind === "del" ? "−" : " "}
          </span>
          <span class="diff-text" role="cell">
            {l.text}
          </span>
        </div>
      ))}
    </div>
  );
}
