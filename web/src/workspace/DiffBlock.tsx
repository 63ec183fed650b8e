import { useSignal } from "@preact/signals";
import { splitRows, type DiffFile, type DiffRow } from "./diff";

const MAX_ROWS = 800;

interface Props {
  file: DiffFile;
  split: boolean;
  /** A button on every hunk header (stage / unstage hunk). */
  hunkAction?: { label: string; run: (hunk: number) => void; busy?: boolean };
}

/** DiffBlock shows one file's diff, unified or side by side; big diffs are cut until "show all". */
export function DiffBlock({ file, split, hunkAction }: Props) {
  const all = useSignal(false);
  if (file.binary) return <p class="muted diff-note">Binary file: no text diff.</p>;
  if (file.rows.length === 0) return <p class="muted diff-note">No changes.</p>;
  const rows = all.value ? file.rows : file.rows.slice(0, MAX_ROWS);
  const cut = file.rows.length - rows.length;
  return (
    <div class={`ws-diff${split ? " ws-diff-split" : ""}`}>
      <table>
        <tbody>{split ? splitRows(rows).map((r, i) => <SplitLine key={i} r={r} hunkAction={hunkAction} />) : rows.map((r, i) => <UnifiedLine key={i} r={r} hunkAction={hunkAction} />)}</tbody>
      </table>
      {cut > 0 && (
        <button type="button" class="btn btn-link" onClick={() => (all.value = true)}>
          Show all ({cut} more lines)
        </button>
      )}
    </div>
  );
}

function HunkHeader({ r, cols, hunkAction }: { r: DiffRow; cols: number; hunkAction?: Props["hunkAction"] }) {
  return (
    <tr class="d-hunk">
      <td colSpan={cols}>
        <span class="d-hunk-text">{r.text}</span>
        {hunkAction && r.hunk !== undefined && (
          <button type="button" class="btn btn-small" disabled={hunkAction.busy} onClick={() => hunkAction.run(r.hunk!)}>
            {hunkAction.label}
          </button>
        )}
      </td>
    </tr>
  );
}

function UnifiedLine({ r, hunkAction }: { r: DiffRow; hunkAction?: Props["hunkAction"] }) {
  if (r.kind === "hunk") return <HunkHeader r={r} cols={4} hunkAction={hunkAction} />;
  if (r.kind === "meta" || r.kind === "skip")
    return (
      <tr class="d-meta">
        <td colSpan={4}>{r.text}</td>
      </tr>
    );
  return (
    <tr class={`d-${r.kind}`}>
      <td class="d-num">{r.old ?? ""}</td>
      <td class="d-num">{r.new ?? ""}</td>
      <td class="d-sign" aria-label={r.kind === "add" ? "added" : r.kind === "del" ? "removed" : undefined}>
        {r.kind === "add" ? "+" : r.kind === "del" ? "−" : " "}
      </td>
      <td class="d-text">{r.text}</td>
    </tr>
  );
}

function SplitLine({ r, hunkAction }: { r: ReturnType<typeof splitRows>[number]; hunkAction?: Props["hunkAction"] }) {
  if (r.full) {
    if (r.full.kind === "hunk") return <HunkHeader r={r.full} cols={4} hunkAction={hunkAction} />;
    return (
      <tr class="d-meta">
        <td colSpan={4}>{r.full.text}</td>
      </tr>
    );
  }
  const ctx = r.left && r.left === r.right;
  return (
    <tr>
      <td class="d-num">{r.left?.old ?? ""}</td>
      <td class={`d-text ${r.left ? (ctx ? "d-ctx" : "d-del") : "d-empty"}`}>{r.left?.text ?? ""}</td>
      <td class="d-num">{r.right?.new ?? ""}</td>
      <td class={`d-text ${r.right ? (ctx ? "d-ctx" : "d-add") : "d-empty"}`}>{r.right?.text ?? ""}</td>
    </tr>
  );
}
